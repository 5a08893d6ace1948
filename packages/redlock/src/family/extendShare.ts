import { runScript } from '@org/redis-core'
import { LockLostError } from '../errors.js'
import { extendHold } from '../extendHold.js'
import { SHARE_EXTEND } from '../scripts/shareExtend.js'
import type { FamilyContext } from './FamilyContext.js'
import { type Share, shareSeat } from './Share.js'
import type { ShareSpec } from './ShareSpec.js'

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
  return extendHold(family, share, ttl, (i) =>
    runScript(family.instances[i]!, SHARE_EXTEND, spec.keys, [share.value, ttl, shareSeat(share)]),
  )
}
