import { runScript } from '@org/redis-core'
import { instanceAnswers } from '../answers.js'
import { driftFor } from '../attempt.js'
import { now } from '../clock.js'
import { LockLostError } from '../errors.js'
import { gather, quorumOfTruthy, type RoundRule, reportTimeouts, tally } from '../gather.js'
import { parseDone } from '../Instance.js'
import { requestTimeoutFor } from '../options.js'
import { SHARE_EXTEND } from '../scripts/shareExtend.js'
import type { FamilyContext } from './FamilyContext.js'
import { renewShare, type Share, shareSeat } from './Share.js'
import type { ShareSpec } from './ShareSpec.js'

/** Decided once a quorum extended the hold, or can no longer. */
const EXTEND_HOLD: RoundRule<boolean> = { parse: parseDone, decided: quorumOfTruthy }

/**
 * Extends a valid hold on a quorum (checked by its owner), on the plain lock's rule: each instance extends it only if
 * it still holds it unexpired (a permit: on its seat); valid again until `ttl - drift` from the start of the round.
 */
export async function extendShare<S extends Share>(
  family: FamilyContext,
  spec: ShareSpec,
  share: S,
  ttl: number,
): Promise<S> {
  if (!share.valid) throw new LockLostError(share, share.released ? 'it was released' : 'it expired')
  const start = now()
  const timeout = requestTimeoutFor(family.settings, ttl)
  const answers = await gather(family, EXTEND_HOLD, timeout, (i) =>
    runScript(family.instances[i]!, SHARE_EXTEND, spec.keys, [share.value, ttl, shareSeat(share)]),
  )
  reportTimeouts(family, answers, timeout)
  const described = instanceAnswers(answers, (extended) => !extended)
  if (tally(answers, Boolean).ok < family.quorum) {
    throw new LockLostError(share, 'no quorum of instances still held it', described)
  }
  const validUntil = start + ttl - driftFor(ttl, family.settings.driftFactor)
  if (validUntil <= now()) throw new LockLostError(share, 'no validity was left after the extension', described)
  renewShare(share, ttl, validUntil)
  return share
}
