export { CallState } from './CallState.js'
export { HandleState, type LockSink, LockState } from './HandleState.js'
export { HookSet } from './HookSet.js'
export { runHooks } from './runHooks.js'
export type {
  CallAttempt,
  CallHook,
  CallHookContext,
  HandleHook,
  HandleHookContext,
  LockTrace,
  RedRpcHooks,
} from './types.js'
