import { driftFor } from '../attempt.js'
import { now } from '../clock.js'
import { extendLater, MIN_LEFT } from '../directGrant.js'
import { HAND_OVER_TTL } from '../options.js'
import { agreed, movePast } from './attemptShare.js'
import { extendShare } from './extendShare.js'
import type { FamilyContext } from './FamilyContext.js'
import type { Share, ShareInit } from './Share.js'
import type { ShareCall, ShareSpec } from './ShareSpec.js'
import type { SeatTally } from './seatTally.js'

/**
 * The permit a quorum handed over to this waiter (see `scripts/shareHandOver.ts`), if its validity leaves enough time:
 * valid until the hand-over ttl after the start of the attempt that registered the grant value (no instance handed a
 * seat to that value before, and each set it with that ttl), less the drift allowance. Its fencing token is a counter
 * value those instances returned alike (each hand-over raised the counter by one), or, when they differ, a value a
 * quorum of them returned after `movePast`, as for an attempt. Undefined when the waiter must attempt instead (its
 * attempt takes the handed seats over).
 */
export async function takeShareGrant(
  family: FamilyContext,
  call: ShareCall,
  tally: SeatTally,
  attempts: number,
): Promise<ShareInit | undefined> {
  const handed = tally.agreed()
  const grant = call.grant
  if (handed === undefined || grant === undefined) return undefined
  const validUntil = call.grantSince + HAND_OVER_TTL - driftFor(HAND_OVER_TTL, family.settings.driftFactor)
  if (validUntil - now() < MIN_LEFT) return undefined
  const { tokens, seat } = handed
  const top = Math.max(...tokens.map((t) => t ?? 0))
  const token = agreed(tokens, family.quorum) ?? (await movePast(family, call, top, tokens))
  if (token === undefined || validUntil - now() < MIN_LEFT / 2) return undefined
  // Its release takes it out of the queues (see `scripts/shareRelease.ts`): no leave is sent after such a win.
  call.granted = tokens.map(() => true)
  const { spec } = call
  return {
    kind: spec.kind,
    name: spec.name,
    value: grant,
    waiter: call.id,
    attempts,
    fencingToken: BigInt(token),
    seat,
    ttl: call.ttl,
    validUntil,
    family,
    handed: true,
  }
}

/** Extends a handed permit to its ttl once half its short validity is gone, unless released first (`extendLater`). */
export function extendHandedLater(family: FamilyContext, spec: ShareSpec, share: Share): void {
  extendLater(share, share.ttl, (ttl) => extendShare(family, spec, share, ttl))
}
