import type { Lock, ReleaseResult } from '../Lock.js'
import type { AcquireOptions } from '../options.js'

/**
 * A hook around each acquire of a Redlock (`acquire()` and the one inside `using()`). Call `next()` to go on: it
 * resolves to the lock, or rejects with the acquire's error. Throw to refuse the acquire. Hooks run in the order
 * they were registered, the first outermost.
 */
export type AcquireHook = (ctx: AcquireHookContext, next: () => Promise<Lock>) => Lock | Promise<Lock>

/** A hook around each extend (by hand, `lock.extend()`, or the automatic ones of `using()`). */
export type ExtendHook = (ctx: ExtendHookContext, next: () => Promise<Lock>) => Lock | Promise<Lock>

/** A hook around each release (`lock.release()`, `await using`, the end of `using()`). */
export type ReleaseHook = (
  ctx: ReleaseHookContext,
  next: () => Promise<ReleaseResult>,
) => ReleaseResult | Promise<ReleaseResult>

/** What `redlock.use(hooks)` takes: any of the three. */
export interface RedlockHooks {
  acquire?: AcquireHook
  extend?: ExtendHook
  release?: ReleaseHook
}

/** An acquire, as its hooks see it (checked already: resources and ttl are the ones that will be asked for). */
export interface AcquireHookContext {
  readonly resources: readonly string[]
  readonly ttl: number
  readonly options: Readonly<AcquireOptions>
  /** Acquires of this Redlock already waiting for these resources when this one started (its contention here). */
  readonly waiting: number
  /** When it started, on `performance.now()` (ms). */
  readonly startedAt: number
}

/** An extend, as its hooks see it. */
export interface ExtendHookContext {
  readonly lock: Lock
  /** The ttl asked for. */
  readonly ttl: number
}

/** A release, as its hooks see it. */
export interface ReleaseHookContext {
  readonly lock: Lock
}
