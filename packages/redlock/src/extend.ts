import { instanceAnswers } from './answers.js'
import { driftFor } from './attempt.js'
import { now } from './clock.js'
import type { RedlockContext } from './context.js'
import { LockLostError } from './errors.js'
import { gather, quorumOfTruthy, type RoundRule, reportTimeouts, tally } from './gather.js'
import { parseDone } from './Instance.js'
import { type Lock, renewLock } from './Lock.js'
import { requestTimeoutFor } from './options.js'

/** Decided once a quorum extended the lock, or can no longer. */
const EXTEND_KEYS: RoundRule<boolean> = { parse: parseDone, decided: quorumOfTruthy }

/**
 * Extends a valid lock on a quorum (checked by `Redlock.extend`): every instance gives its keys the new ttl only if
 * they all still hold the lock's value. Valid again until `ttl - drift` from the start of the round.
 */
export async function extend(ctx: RedlockContext, lock: Lock, ttl: number): Promise<Lock> {
  const start = now()
  const timeout = requestTimeoutFor(ctx.settings, ttl)
  const answers = await gather(ctx, EXTEND_KEYS, timeout, (i) =>
    ctx.instances[i]!.extend(lock.resources, lock.value, ttl),
  )
  reportTimeouts(ctx, answers, timeout)
  const described = instanceAnswers(answers, (extended) => !extended)
  if (tally(answers, Boolean).ok < ctx.quorum) {
    throw new LockLostError(lock, 'no quorum of instances still held it', described)
  }
  const validUntil = start + ttl - driftFor(ttl, ctx.settings.driftFactor)
  if (validUntil <= now()) throw new LockLostError(lock, 'no validity was left after the extension', described)
  renewLock(lock, ttl, validUntil)
  ctx.extended(lock)
  return lock
}
