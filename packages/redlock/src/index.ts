export type { InstanceAnswer } from './answers.js'
export { LockError, type LockErrorReason, LockLostError, ResourceLockedError } from './errors.js'
export type { UsingRoutine } from './holdWhile.js'
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
