export type { Core, Dispatch, Hook } from '@org/redis-core'
export { CallState } from './CallState.js'
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
