import type { RedlockContext } from './context.js'
import { gather, quorumAnswered, type RoundRule, reportTimeouts } from './gather.js'
import { handOver, successorOf } from './handOver.js'
import { FALL_BACK_RELEASE, parseCount } from './Instance.js'
import { type Lock, lockWaiter, markLockReleased, type ReleaseResult } from './Lock.js'
import { requestTimeoutFor } from './options.js'
import { releaseResult } from './releaseResult.js'

/** Decided once a quorum answered, whatever they said: the result counts the instances that deleted the lock. */
const DELETE_KEYS: RoundRule<number> = { parse: parseCount, decided: quorumAnswered }

/** The same for a fast release: an instance that answers the sentinel gets the full script, even after the outcome. */
const DELETE_KEYS_FAST: RoundRule<number> = {
  ...DELETE_KEYS,
  again: (reply) => reply === FALL_BACK_RELEASE,
  againLate: true,
}

/**
 * The release path, top to bottom (the lock was checked by `Redlock.release`):
 *
 * 1. When an acquire of this Redlock waits for exactly these resources, the lock is handed over to it
 *    (`handOver.ts`): the keys never become free.
 * 2. Otherwise its keys are deleted on every instance, only where they still hold its value, and the release
 *    settles once a quorum answered, in the reaction to the deciding reply (see `gather`); by the pre-queue shape
 *    of the script when the lock is not seen contended (`fastPath.ts`).
 * 3. Right after the deletes are written, the first waiter of each resource here is woken: its attempt is written
 *    behind the release on each connection.
 */
export function release(ctx: RedlockContext, lock: Lock): Promise<ReleaseResult> {
  const successor = lock.released ? undefined : successorOf(ctx, lock)
  if (successor) {
    return handOver(ctx, lock, successor).then((handed) => {
      ctx.released(lock, handed)
      return handed
    })
  }
  markLockReleased(lock)
  const timeout = requestTimeoutFor(ctx.settings, lock.ttl)
  const waiter = lockWaiter(lock)
  const { resources, value } = lock
  // A lock won by its first attempt (value = waiter id) on a resource not seen contended: the fast release.
  const fast = value === waiter && ctx.contention.fastFor(resources) && !ctx.othersWait(resources)
  const send = fast
    ? (i: number, full?: boolean) => {
        if (full) ctx.contention.saw(resources)
        return ctx.instances[i]!.release(resources, value, waiter, !full)
      }
    : (i: number) => ctx.instances[i]!.release(resources, value, waiter)
  const sent = gather(ctx, fast ? DELETE_KEYS_FAST : DELETE_KEYS, timeout, send, (answers) => {
    reportTimeouts(ctx, answers, timeout)
    let instances = 0
    for (const a of answers) if (a.status === 'ok' && a.value > 0) instances++
    const result = releaseResult(instances, answers)
    ctx.released(lock, result)
    return result
  })
  ctx.queue.release(lock)
  return sent
}
