import { LockLostError, type Redlock } from '@org/redlock'
import { type LockSink, LockState } from './hooks/index.js'
import type { CallContext, MethodContext, NormalizedMethod } from './methods.js'
import { type Caller, nestedCall } from './nestedCall.js'
import { holdFor } from './sharedLocks.js'

/** The code a call fails with when its lock was lost while the handler ran (`RemoteCallError.code`). */
export const LOCK_LOST_CODE = 'LOCK_LOST'

/**
 * Runs a lock-protected handler under `rlock.using()`: the lock is auto-extended while the handler runs and
 * released when it settles. The handler's signal also aborts when the lock is lost, so it can stop before another
 * holder could act on the same resource.
 *
 * `using()`'s signal also aborts when the call's own signal does (deadline passed, caller cancelled): only an abort
 * whose reason is a `LockLostError` is a loss, reported once through `onLost`. A call whose lock was lost fails with
 * `LOCK_LOST` whatever its handler did after: its work may have overlapped another holder's, so its result is not
 * handed to the caller as if the lock had held.
 *
 * With `handle` hooks registered, `sink` receives the lock's story (waited, held, released, or why not acquired) for
 * them to trace and measure; without hooks it is undefined and nothing is recorded.
 */
export async function runLocked(
  rlock: Redlock | null,
  method: NormalizedMethod,
  params: unknown,
  ctx: Omit<CallContext, 'call'>,
  caller: Caller,
  onLost: (resources: string[], error: unknown) => void,
  sink?: LockSink,
): Promise<unknown> {
  if (!rlock || !method.resources) throw new TypeError(`method '${ctx.service}.${ctx.method}' needs a Redlock`)
  const resources = method.resources(params)
  const traced = sink === undefined ? undefined : new LockState(resources)
  if (sink !== undefined) sink.lock = traced
  let lost: LockLostError | undefined
  const routine = async (lockSignal: AbortSignal, lock: MethodContext['lock']) => {
    if (traced !== undefined) {
      traced.acquiredAt = performance.now()
      traced.fencingToken = lock.fencingToken
      traced.attempts = lock.attempts
    }
    const onAbort = () => {
      if (lockSignal.reason instanceof LockLostError) {
        lost = lockSignal.reason
        onLost(resources, lost)
      }
    }
    lockSignal.addEventListener('abort', onAbort, { once: true })
    try {
      const signal = AbortSignal.any([ctx.signal, lockSignal])
      // Nested calls stop with the handler's own signal: a lost lock cancels them too.
      const inner = { ...ctx, signal, lock } as MethodContext
      inner.call = ((service: string, m: string, p?: unknown, options?: object) =>
        nestedCall(caller, inner, service, m, p, options)) as unknown as MethodContext['call']
      return await method.handler(params, inner)
    } finally {
      lockSignal.removeEventListener('abort', onAbort)
    }
  }
  try {
    // Waiting for the lock is bounded by the call itself: it stops when the deadline passes or the caller cancels.
    return await holdFor(
      rlock,
      method.hold,
      resources,
      method.lockTtlMs,
      { signal: ctx.signal, retryCount: -1 },
      routine,
    )
  } catch (err) {
    if (traced !== undefined) {
      traced.lost = lost !== undefined || err instanceof LockLostError
      // Never held: the acquire itself failed (deadline, cancelled, Redis refused...).
      if (traced.acquiredAt === undefined) traced.error = err
    }
    // `using()` rejects with the LockLostError itself when the routine resolved after the loss.
    if (lost === undefined && err instanceof LockLostError) {
      lost = err
      onLost(resources, err)
    }
    throw lost === undefined ? err : lockLostFailure(resources, lost, err)
  } finally {
    if (traced !== undefined) traced.releasedAt = performance.now()
  }
}

/** What the caller gets (as `RemoteCallError`, `code: 'LOCK_LOST'`) for a call whose lock was lost. */
function lockLostFailure(resources: string[], lost: LockLostError, outcome: unknown): Error {
  const handler =
    outcome === lost
      ? 'the handler finished anyway; its result was discarded'
      : `the handler failed: ${String(outcome)}`
  const error = new Error(
    `the lock on ${resources.join(', ')} was lost while the handler ran (${lost.message}); ${handler}`,
  )
  error.name = 'LockLostError'
  Object.assign(error, { code: LOCK_LOST_CODE, data: { resources } })
  return error
}

/**
 * The resource names the Redlock declares, or undefined when it declares none: a Redlock built without `resources`
 * accepts any name, so there is nothing to check against.
 */
export function declaredResources(rlock: Redlock | null): ReadonlySet<string> | undefined {
  if (!rlock || rlock.resources.size === 0) return undefined
  return new Set(rlock.resources.keys())
}
