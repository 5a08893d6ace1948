import { instanceAnswers } from './answers.js'
import { driftFor } from './attempt.js'
import { now } from './clock.js'
import { LockLostError } from './errors.js'
import {
  gather,
  quorumOfTruthy,
  type RoundContext,
  type RoundRule,
  reportTimeouts,
  type Send,
  tally,
} from './gather.js'
import { type Hold, renewHold } from './Hold.js'
import { parseDone } from './Instance.js'
import { requestTimeoutFor, type Settings } from './options.js'

/** Decided once a quorum extended the hold, or can no longer. */
const EXTEND_HOLD: RoundRule<boolean> = { parse: parseDone, decided: quorumOfTruthy }

/**
 * Extends a hold (a lock, a read or write hold, a permit) on a quorum: `send(i)` asks instance `i` to give it the new
 * ttl (its reply is 1 when it still held it). Valid again until `ttl - drift` from the start of the round; a
 * `LockLostError` when no quorum still held it, or no validity was left.
 */
export async function extendHold<H extends Hold>(
  ctx: RoundContext & { readonly settings: Settings },
  hold: H,
  ttl: number,
  send: Send,
): Promise<H> {
  const start = now()
  const timeout = requestTimeoutFor(ctx.settings, ttl)
  const answers = await gather(ctx, EXTEND_HOLD, timeout, send)
  reportTimeouts(ctx, answers, timeout)
  const described = instanceAnswers(answers, (extended) => !extended)
  if (tally(answers, Boolean).ok < ctx.quorum) {
    throw new LockLostError(hold, 'no quorum of instances still held it', described)
  }
  const validUntil = start + ttl - driftFor(ttl, ctx.settings.driftFactor)
  if (validUntil <= now()) throw new LockLostError(hold, 'no validity was left after the extension', described)
  renewHold(hold, ttl, validUntil)
  return hold
}
