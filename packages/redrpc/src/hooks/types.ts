import type { CallOptions } from '../options.js'

/**
 * A hook around each call on the caller's side. Call `next()` to go on (it resolves to the result, or rejects with
 * the call's error, after every attempt); return a value without calling it to answer from elsewhere (a cache), or
 * throw to refuse the call (auth, validation). Hooks run in the order they were registered, the first outermost.
 */
export type CallHook = (ctx: CallHookContext, next: () => Promise<unknown>) => unknown

/** A hook around each handler run on the provider's side: validation, the lock (when the method takes one), the handler. */
export type HandleHook = (ctx: HandleHookContext, next: () => Promise<unknown>) => unknown

/** What `redRpc.use(hooks)` takes: either side or both. */
export interface RedRpcHooks {
  call?: CallHook
  handle?: HandleHook
}

/** One attempt of a call to one provider, as a `call` hook sees it (times on `performance.now()`, ms). */
export interface CallAttempt {
  readonly attempt: number
  readonly provider: string
  readonly startedAt: number
  /** Set when the attempt ended. */
  readonly latencyMs: number | undefined
  /** The attempt's error; undefined while running or when it succeeded. */
  readonly error: Error | undefined
}

/** The caller's view of a call. A hook may replace `params`, `metadata` and `timeoutMs` before calling `next()`. */
export interface CallHookContext {
  readonly service: string
  readonly method: string
  params: unknown
  /** Sent with the call, arriving as the handler's `ctx.metadata`: a copy of `options.metadata`, yours to change. */
  metadata: Record<string, unknown>
  /** Time per attempt (undefined: the method's or the service's default). */
  timeoutMs: number | undefined
  /** The call's options as given (signal, key, retries). */
  readonly options: Readonly<CallOptions>
  /** The current (then last) attempt: 0 before the first one starts. */
  readonly attempt: number
  /** The provider of the current (then last) attempt. */
  readonly provider: string | undefined
  /** When the current attempt stops waiting, on `performance.now()`. */
  readonly deadline: number | undefined
  /** Every attempt so far, in order. */
  readonly attempts: readonly CallAttempt[]
}

/** A lock-protected method's lock, as a `handle` hook sees it (times on `performance.now()`, ms). */
export interface LockTrace {
  readonly resources: readonly string[]
  /** When the handler started waiting for the lock. */
  readonly waitStartedAt: number
  /** When the lock was held (undefined: not acquired). */
  readonly acquiredAt: number | undefined
  /** When `using()` settled: the lock released (or given up). */
  readonly releasedAt: number | undefined
  readonly fencingToken: bigint | undefined
  /** Acquire attempts it took. */
  readonly attempts: number | undefined
  /** Why it could not be acquired (undefined when it was). */
  readonly error: unknown
  /** The lock was lost while the handler ran. */
  readonly lost: boolean
}

/** The provider's view of a handler run. A hook may replace `params` before calling `next()`. */
export interface HandleHookContext {
  readonly service: string
  readonly method: string
  readonly provider: string
  readonly requestId: string
  /** 1 on the first delivery; more when retried or adopted. */
  readonly attempt: number
  /** When the caller stops waiting, on `performance.now()`. */
  readonly deadline: number
  readonly signal: AbortSignal
  readonly metadata: Readonly<Record<string, unknown>>
  params: unknown
  /** Set once a lock-protected method starts waiting for its lock; undefined for other methods. */
  readonly lock: LockTrace | undefined
}
