export type { InstanceAnswer } from './answers.js'
export { LockError, type LockErrorReason, LockLostError, type LostHold, ResourceLockedError } from './errors.js'
export type { ShareRoutine } from './family/Holds.js'
export type { InspectedHolder, Inspection } from './family/inspect.js'
export type { ReadWriteOptions, SemaphoreOptions } from './family/options.js'
export { ReadWriteLock } from './family/ReadWriteLock.js'
export { Semaphore } from './family/Semaphore.js'
export { Permit, ReadLock, Share, type ShareMode, WriteLock } from './family/Share.js'
export type { UsingRoutine } from './holdWhile.js'
export {
  type LockTelemetryOptions,
  lockTelemetry,
  type OpenTelemetryApi,
  type TelemetrySpan,
} from './hooks/telemetry.js'
export type {
  AcquireHook,
  AcquireHookContext,
  ExtendHook,
  ExtendHookContext,
  RedlockHooks,
  ReleaseHook,
  ReleaseHookContext,
} from './hooks/types.js'
export { type RedlockKeys, redlockKeys } from './keys.js'
export { Lock, type ReleaseResult } from './Lock.js'
export type {
  AcquireOptions,
  RedisClient,
  RedlockOptions,
  ResourceDefaults,
  Settings,
  UsingOptions,
} from './options.js'
export { Redlock, type RedlockEvents } from './Redlock.js'

/** The name this package is published under. */
export const packageName = '@org/redlock' as const
