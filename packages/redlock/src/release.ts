import type { RedlockContext } from './context.js'
import { gather, quorumAnswered, type RoundRule, reportTimeouts } from './gather.js'
import { handOver, successorOf } from './handOver.js'
import { parseCount } from './Instance.js'
import { type Lock, lockWaiter, markLockReleased, type ReleaseResult } from './Lock.js'
import { requestTimeoutFor } from './options.js'
import { releaseResult } from './releaseResult.js'

/** Decided once a quorum answered, whatever they said: the result counts the instances that deleted the lock. */
const DELETE_KEYS: RoundRule<number> = { parse: parseCount, decided: quorumAnswered }

/**
 * The release path, top to bottom (the lock was checked by `Redlock.release`):
 *
 * 1. When an acquire of this Redlock waits for exactly these resources, the lock is handed over to it
 *    (`handOver.ts`): the keys never become free.
 * 2. Otherwise its keys are deleted on every instance, only where they still hold its value, and the release
 *    settles once a quorum answered, in the reaction to the deciding reply (see `gather`).
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
  const send = (i: number) => ctx.instances[i]!.release(lock.resources, lock.value, waiter)
  const sent = gather(ctx, DELETE_KEYS, timeout, send, (answers) => {
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
