import type { LockLostError } from './errors.js'
import type { Lock } from './Lock.js'
import { type KeeperLimits, LockKeeper } from './LockKeeper.js'

/** The routine `using()` runs while it holds the lock. */
export type UsingRoutine<T> = (signal: AbortSignal, lock: Lock) => Promise<T> | T

/** What holding a lock through a routine needs. */
export interface HoldContext {
  readonly limits: KeeperLimits
  /** The caller's signal, passed on to the routine's. */
  readonly signal: AbortSignal | undefined
  /** Told when the lock is lost (before the routine's signal aborts). */
  lost(lock: Lock, error: LockLostError): void
}

/**
 * Runs the routine while keeping the lock alive, aborts the routine's signal when the lock is lost or the caller
 * aborts, and releases the lock when the routine settles. The routine's own error wins over a release failure.
 */
export async function holdWhile<T>(lock: Lock, context: HoldContext, routine: UsingRoutine<T>): Promise<T> {
  const controller = new AbortController()
  const outer = context.signal
  const onOuterAbort = () => controller.abort(outer?.reason)
  outer?.addEventListener('abort', onOuterAbort, { once: true })
  const keeper = new LockKeeper(lock, context.limits, (error) => {
    context.lost(lock, error)
    controller.abort(error)
  })
  keeper.start()
  const settle = () => {
    keeper.stop()
    outer?.removeEventListener('abort', onOuterAbort)
  }
  let result: T
  try {
    result = await routine(controller.signal, lock)
  } catch (err) {
    settle()
    await lock.release().catch(() => {})
    throw err
  }
  settle()
  await lock.release()
  return result
}
