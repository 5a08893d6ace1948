import { runScript } from '@org/redis-core'
import { gather, quorumAnswered, type RoundRule, reportTimeouts } from '../gather.js'
import { parseCount } from '../Instance.js'
import type { ReleaseResult } from '../Lock.js'
import { requestTimeoutFor } from '../options.js'
import { releaseResult } from '../releaseResult.js'
import { SHARE_RELEASE } from '../scripts/shareRelease.js'
import type { FamilyContext } from './FamilyContext.js'
import { markShareReleased, type Share, shareWaiter } from './Share.js'
import type { ShareSpec } from './ShareSpec.js'

/** Decided once a quorum answered, whatever they said: the result counts the instances that still held it. */
const LET_GO: RoundRule<number> = { parse: parseCount, decided: quorumAnswered }

/**
 * Releases a hold (checked by its owner) on every instance, only where it is still this hold's, and settles once a
 * quorum answered; its waiter leaves the queues with it. A semaphore's freed seat is handed to the first waiter with a
 * grant value (`scripts/shareHandOver.ts`); the others it lets in, of this process or another, are told by id (see
 * `scripts/shareQueue.ts`): only they attempt.
 */
export function releaseShare(family: FamilyContext, spec: ShareSpec, share: Share): Promise<ReleaseResult> {
  markShareReleased(share)
  const timeout = requestTimeoutFor(family.settings, share.ttl)
  const sent = gather(
    family,
    LET_GO,
    timeout,
    (i) =>
      runScript(family.instances[i]!, SHARE_RELEASE, spec.keys, [
        share.value,
        spec.channel,
        spec.permits,
        shareWaiter(share),
      ]),
    (answers) => {
      reportTimeouts(family, answers, timeout)
      let instances = 0
      for (const a of answers) if (a.status === 'ok' && a.value > 0) instances++
      return releaseResult(instances, answers)
    },
  )
  return sent
}
