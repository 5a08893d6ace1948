import { runScript } from '@org/redis-core'
import { type InstanceAnswer, instanceAnswers } from '../answers.js'
import { type Answer, gather, type RoundRule, reportTimeouts } from '../gather.js'
import { queueKeys } from '../keys.js'
import { requestTimeoutFor } from '../options.js'
import { INSPECT } from '../scripts/inspect.js'
import type { FamilyContext } from './FamilyContext.js'
import { inspectKeys } from './keys.js'

/** One holder of a name, as `inspect` saw it. */
export interface InspectedHolder {
  /** A plain `Lock`, a reader or the writer of the read-write lock, or a permit of the semaphore. */
  readonly kind: 'lock' | 'read' | 'write' | 'permit'
  /** Its value in Redis (`lock.value` for a plain lock, `hold.value` for the others). */
  readonly value: string
  /** Epoch ms until which a quorum of instances holds it (the quorum-th latest expiry among them). */
  readonly until: number
  /** How many instances hold it. */
  readonly instances: number
}

/** What `redlock.inspect(name)` read: what is held on a quorum, and how sure it is. */
export interface Inspection {
  readonly name: string
  /** True when anything is held on a quorum of instances. */
  readonly held: boolean
  /** The holders a quorum of instances agree on, longest-lived first. */
  readonly holders: readonly InspectedHolder[]
  /** Waiters (of the lock, the read-write lock and the semaphore together) queued on at least a quorum of instances. */
  readonly waiters: number
  /**
   * The highest token a quorum of instances recorded for the name (plain lock or shared holds): at least the last
   * token handed out (a token is recorded on a quorum before it is), possibly above it (a plain lock records tokens
   * in blocks, and a failed attempt raises counters too).
   */
  readonly lastToken: bigint
  /** Instances that must agree: floor(N/2)+1. */
  readonly quorum: number
  /** Instances that answered in time. */
  readonly answered: number
  /** Instances whose holders are exactly the ones listed: `answered === agreed` means no instance disagrees. */
  readonly agreed: number
  /** What each instance answered. */
  readonly answers: readonly InstanceAnswer[]
}

/** What one instance holds for the name, parsed. */
interface View {
  /** `${kind} ${value}` -> epoch ms until which this instance holds it. */
  readonly holders: Map<string, number>
  readonly waiters: number
  readonly lockCounter: bigint
  readonly shareCounter: bigint
}

/** Waits for every instance (or the timeout): agreement is counted over all of them. */
const READ_ALL: RoundRule<View> = { parse: parseView, decided: () => false }

function parseView(reply: unknown): View {
  if (!Array.isArray(reply) || reply.length !== 11) throw new Error(`unexpected inspect reply: ${String(reply)}`)
  const [redisNow, lockValue, pttl, lockWaiters, lockCounter, readers, writer, rwWaiters, permits, semWaiters, share] =
    reply as [number, string | null, number, number, string, string[], string[], number, string[], number, string]
  // Expiries are in the instance's clock: turned into this process' epoch from its own "now", as it answered.
  const local = Date.now()
  const holders = new Map<string, number>()
  if (lockValue !== null && pttl > 0) holders.set(`lock ${lockValue.replace(/\+$/, '')}`, local + pttl)
  const add = (kind: string, flat: string[]) => {
    for (let i = 0; i < flat.length; i += 2) holders.set(`${kind} ${flat[i]}`, local + (Number(flat[i + 1]) - redisNow))
  }
  add('read', readers)
  add('write', writer)
  add('permit', permits)
  return {
    holders,
    waiters: lockWaiters + rwWaiters + semWaiters,
    lockCounter: BigInt(lockCounter),
    shareCounter: BigInt(share),
  }
}

/** The quorum-th largest of the values (what at least a quorum reached), or the smallest when fewer. */
function quorumView<T extends number | bigint>(values: T[], quorum: number, none: T): T {
  if (values.length === 0) return none
  const sorted = [...values].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))
  return sorted[Math.min(quorum, sorted.length) - 1]!
}

/**
 * Reads what every instance holds for a name (its plain lock, read-write lock and semaphore) without taking
 * anything, and keeps what a quorum agrees on: a holder listed is held on a quorum, until the quorum-th latest expiry.
 */
export async function inspect(family: FamilyContext, name: string): Promise<Inspection> {
  const { keyPrefix } = family.settings
  const keys = inspectKeys(keyPrefix, name, queueKeys(keyPrefix, name)[1])
  const timeout = requestTimeoutFor(family.settings, family.settings.ttl)
  const answers: Answer<View>[] = await gather(family, READ_ALL, timeout, (i) =>
    runScript(family.instances[i]!, INSPECT, keys, []),
  )
  reportTimeouts(family, answers, timeout)
  const { quorum } = family
  const views = answers.flatMap((a) => (a.status === 'ok' ? [a.value] : []))
  const seen = new Map<string, number[]>()
  for (const view of views) {
    for (const [holder, until] of view.holders) seen.set(holder, [...(seen.get(holder) ?? []), until])
  }
  const holders: InspectedHolder[] = []
  for (const [holder, untils] of seen) {
    if (untils.length < quorum) continue
    const space = holder.indexOf(' ')
    holders.push({
      kind: holder.slice(0, space) as InspectedHolder['kind'],
      value: holder.slice(space + 1),
      until: quorumView(untils, quorum, 0),
      instances: untils.length,
    })
  }
  holders.sort((a, b) => b.until - a.until)
  const listed = new Set(holders.map((h) => `${h.kind} ${h.value}`))
  const agreed = views.filter((v) => v.holders.size === listed.size && [...listed].every((h) => v.holders.has(h)))
  // The plain lock's and the shared holds' counters are separate (see `keys.ts`): the name's last is the higher.
  const counters = [views.map((v) => v.lockCounter), views.map((v) => v.shareCounter)]
  const [lastToken] = counters.map((c) => quorumView(c, quorum, 0n)).sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))
  return {
    name,
    held: holders.length > 0,
    holders,
    waiters:
      views.length < quorum
        ? 0
        : quorumView(
            views.map((v) => v.waiters),
            quorum,
            0,
          ),
    lastToken: lastToken!,
    quorum,
    answered: views.length,
    agreed: agreed.length,
    answers: instanceAnswers(answers),
  }
}
