export { CallState } from './CallState.js'
export { type Core, compose, type Dispatch, type Hook } from './compose.js'
export { HandleState, type LockSink, LockState } from './HandleState.js'
export { HookSet } from './HookSet.js'
export type {
  CallAttempt,
  CallHook,
  CallHookContext,
  HandleHook,
  HandleHookContext,
  LockTrace,
  RedRpcHooks,
} from './types.js'
