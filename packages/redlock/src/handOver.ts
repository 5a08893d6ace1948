import { randomUUID } from 'node:crypto'
import { driftFor } from './attempt.js'
import { now } from './clock.js'
import type { RedlockContext } from './context.js'
import { gather, quorumOfTruthy, type RoundRule, reportTimeouts, tally } from './gather.js'
import { OTHERS_WAIT, parseTransfer, type TransferRequest, type Transferred } from './Instance.js'
import {
  Lock,
  lockTokenCeiling,
  lockValidUntil,
  lockWaiter,
  markLockReleased,
  type ReleaseResult,
  raiseLockCeiling,
  renewLock,
} from './Lock.js'
import { HAND_OVER_TTL, HANDOVER_TOKENS, requestTimeoutFor } from './options.js'
import { releaseResult } from './releaseResult.js'
import type { Waiter } from './Waiter.js'

/** Decided once a quorum moved the keys to the successor's value, or can no longer. */
const TRANSFER_KEYS: RoundRule<Transferred> = { parse: parseTransfer, decided: quorumOfTruthy }

/** The waiter of this process that can take the lock over directly, if the lock allows it. */
export function successorOf(ctx: RedlockContext, lock: Lock): Waiter | undefined {
  const waiter = ctx.queue.successorOf(lock)
  if (!waiter || lock.fencingToken >= lockTokenCeiling(lock)) return undefined
  // Fifo: while a waiter of another process waits, the lock goes back into the common queue in Redis.
  if (ctx.settings.fairness === 'fifo' && ctx.othersWait(lock.resources)) return undefined
  // The successor starts under the validity left to this lock: it must outlast the transfer's round trip, which takes
  // far less than either bound (safety does not rest on it: a transfer that lands late fails, see `handOver`). The
  // second bound is for a lock taken by a direct grant: its keys carry the hand-over ttl until `extendLater` extends
  // them, and a 10 s lock's 2 s bound ruled out every local hand-over of it (the fairness tests' local-first case).
  if (lock.remaining <= Math.min(2 * requestTimeoutFor(ctx.settings, waiter.ttl), HAND_OVER_TTL / 4)) return undefined
  if (!ctx.instances.every((i) => i.canTransfer(lock.resources))) return undefined
  return waiter
}

/**
 * Releases a lock by handing it to the next waiter of this process: the keys never become free, so no other
 * process can slip in, and the successor holds the lock at once, covered by the validity left to this lock (still
 * held on a quorum) until the transfer to its own value and ttl is confirmed; its token was recorded beforehand.
 */
export async function handOver(ctx: RedlockContext, lock: Lock, waiter: Waiter): Promise<ReleaseResult> {
  const { resources } = lock
  const { instances, quorum } = ctx
  const ttl = waiter.ttl
  const token = lock.fencingToken + 1n
  const ceiling = token + HANDOVER_TOKENS - 1n
  const value = randomUUID()
  const oldWaiter = lockWaiter(lock)
  const timeout = requestTimeoutFor(ctx.settings, ttl)
  const start = now()
  const request: TransferRequest = {
    resources,
    oldValue: lock.value,
    newValue: value,
    ttl,
    ceiling,
    successor: waiter.id,
    oldWaiter,
    inbox: ctx.inbox,
  }
  const sent = gather(ctx, TRANSFER_KEYS, timeout, (i) => instances[i]!.transfer(request))
  markLockReleased(lock)
  const validUntil = start + ttl - driftFor(ttl, ctx.settings.driftFactor)
  // Until confirmed, no longer than the old lock is still held, nor than the new ttl will keep the keys.
  const provisional = Math.min(lockValidUntil(lock), validUntil)
  const next = new Lock(ctx.owner, {
    resources,
    value,
    attempts: waiter.attempts + 1,
    fencingToken: token,
    tokenCeiling: lockTokenCeiling(lock),
    ttl,
    validUntil: provisional,
  })
  ctx.queue.handOver(lock, next, waiter)
  const answers = await sent
  reportTimeouts(ctx, answers, timeout)
  const held = tally(answers, Boolean).ok
  // The `?` that told this process another one waits may have been lost: the next release goes through the queue.
  if (answers.some((a) => a.status === 'ok' && a.value === OTHERS_WAIT)) ctx.sawOthers(resources)
  // An extension of the successor, sent after the transfer, settles after it and is not overwritten here.
  const untouched = !next.released && lockValidUntil(next) === provisional
  if (held >= quorum) {
    if (untouched) renewLock(next, ttl, validUntil)
    raiseLockCeiling(next, ceiling)
  } else if (untouched) {
    // Not held on a quorum any more: the successor must not rely on it.
    renewLock(next, ttl, now())
  }
  return releaseResult(held, answers)
}
