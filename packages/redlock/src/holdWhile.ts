import type { LockLostError } from './errors.js'
import type { Lock } from './Lock.js'
import { type Keepable, type KeeperLimits, LockKeeper } from './LockKeeper.js'

/** The routine `using()` runs while it holds the lock. */
export type UsingRoutine<T> = (signal: AbortSignal, lock: Lock) => Promise<T> | T

/** What `holdWhile` holds: a `Lock`, or a read, write or permit hold. */
export interface Holdable extends Keepable {
  release(): Promise<unknown>
}

/** What holding a lock through a routine needs. */
export interface HoldContext<L extends Holdable = Lock> {
  readonly limits: KeeperLimits
  /** The caller's signal, passed on to the routine's. */
  readonly signal: AbortSignal | undefined
  /** Told when the lock is lost (before the routine's signal aborts). */
  lost(lock: L, error: LockLostError<L>): void
}

/**
 * Runs the routine while keeping the lock alive, aborts the routine's signal when the lock is lost or the caller
 * aborts, and releases the lock when the routine settles. The routine's own error wins over a release failure.
 * A routine that resolves after the lock was lost (it did not heed its signal, or finished its work regardless)
 * does not pass for a success: the loss is thrown, carrying the routine's result, since that work may have
 * overlapped another holder's.
 */
export async function holdWhile<T, L extends Holdable = Lock>(
  lock: L,
  context: HoldContext<L>,
  routine: (signal: AbortSignal, lock: L) => Promise<T> | T,
): Promise<T> {
  const controller = new AbortController()
  const outer = context.signal
  const onOuterAbort = () => controller.abort(outer?.reason)
  outer?.addEventListener('abort', onOuterAbort, { once: true })
  let lost: LockLostError<L> | undefined
  const keeper = new LockKeeper(lock, context.limits, (error) => {
    lost = error
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
  if (lost) {
    // Still released: keys left on the instances that kept them would otherwise block others until they expire.
    await lock.release().catch(() => {})
    lost.result = result
    throw lost
  }
  await lock.release()
  return result
}
