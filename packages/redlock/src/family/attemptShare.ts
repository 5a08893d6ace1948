import { randomUUID } from 'node:crypto'
import { runScript } from '@org/redis-core'
import { type InstanceAnswer, instanceAnswers } from '../answers.js'
import { driftFor } from '../attempt.js'
import { now } from '../clock.js'
import { type Answer, gather, quorumOk, type RoundRule, reportTimeouts } from '../gather.js'
import { FENCE_PAST } from '../scripts/fencePast.js'
import { SHARE_ACQUIRE } from '../scripts/shareAcquire.js'
import { SHARE_UNDO } from '../scripts/shareUndo.js'
import type { FamilyContext } from './FamilyContext.js'
import type { ShareCall } from './ShareSpec.js'

/** An instance's answer to `shareAcquire`: the fencing counter when it granted, else its ticket counter (boxed). */
type GrantReply = number | { readonly counter: number }

const isGrant = (reply: GrantReply): reply is number => typeof reply === 'number'

function parseGrant(reply: unknown): GrantReply {
  if (typeof reply === 'number' && Number.isSafeInteger(reply) && reply > 0) return reply
  if (Array.isArray(reply) && typeof reply[0] === 'number') return { counter: reply[0] }
  throw new Error(`unexpected shareAcquire reply: ${String(reply)}`)
}

/** The value a quorum of granting instances returned, if any: a token nobody else got (see `fencePast.ts`). */
function agreed(values: readonly (number | undefined)[], quorum: number): number | undefined {
  const counts = new Map<number, number>()
  for (const v of values) {
    if (v === undefined) continue
    const n = (counts.get(v) ?? 0) + 1
    if (n >= quorum) return v
    counts.set(v, n)
  }
  return undefined
}

const grants = (answers: readonly Answer<GrantReply>[]) =>
  answers.map((a) => (a.status === 'ok' && isGrant(a.value) ? a.value : undefined))

/** Decided once a quorum granted with one counter, or a quorum can no longer grant. */
const TAKE: RoundRule<GrantReply> = {
  parse: parseGrant,
  decided(answers, quorum) {
    let got = 0
    let pending = 0
    for (const a of answers) {
      if (a.status === 'pending') pending++
      else if (a.status === 'ok' && isGrant(a.value)) got++
    }
    return got + pending < quorum || agreed(grants(answers), quorum) !== undefined
  },
}

/** Decided once a quorum moved its counter, or can no longer. */
const MOVE_PAST: RoundRule<number> = { parse: Number, decided: quorumOk }

/** Rounds of `fencePast` before an attempt whose counters keep differing gives up (and is retried). */
const FENCE_ROUNDS = 3

/** The outcome of one attempt at a shared hold. */
export type ShareOutcome =
  | { readonly ok: true; readonly value: string; readonly token: bigint; readonly validUntil: number }
  | {
      readonly ok: false
      /** True when an instance refused because of other holders (not a failure). */
      readonly locked: boolean
      readonly answers: InstanceAnswer[]
      /** The highest ticket counter a refusing instance gave the waiter (0: not queued). */
      readonly counter: number
    }

/**
 * One attempt, on the plain lock's rule: the hold is taken on every instance in parallel with a value of its own, and
 * won on a quorum with validity `ttl - elapsed - drift` left. Its fencing token is a counter value a quorum returned:
 * each grant raises the counter by one, so that value was returned to this attempt only; when the granting instances
 * disagree, `fencePast` moves a quorum past the highest one first. A failed attempt is undone on every instance.
 */
export async function attemptShare(family: FamilyContext, call: ShareCall): Promise<ShareOutcome> {
  const { spec, ttl, requestTimeout } = call
  const value = randomUUID()
  call.tries++
  const start = now()
  const args = [spec.code, value, ttl, spec.permits, call.lease, call.ticket, call.id]
  const answers = await gather(family, TAKE, requestTimeout, (i) =>
    runScript(family.instances[i]!, SHARE_ACQUIRE, spec.keys, args),
  )
  reportTimeouts(family, answers, requestTimeout)
  let counter = 0
  let top = 0
  let got = 0
  for (const a of answers) {
    if (a.status !== 'ok') continue
    if (isGrant(a.value)) {
      got++
      top = Math.max(top, a.value)
    } else counter = Math.max(counter, a.value.counter)
  }
  if (counter > 0) call.queued = true
  const described = instanceAnswers(answers, (reply) => !isGrant(reply))
  const fail = (locked: boolean): ShareOutcome => {
    undo(family, call, value)
    return { ok: false, locked, answers: described, counter }
  }
  if (got < family.quorum) return fail(described.some((a) => a.status === 'locked'))
  const token = agreed(grants(answers), family.quorum) ?? (await movePast(family, call, top))
  if (token === undefined) return fail(false)
  const validUntil = start + ttl - driftFor(ttl, family.settings.driftFactor)
  if (validUntil <= now()) return fail(false)
  return { ok: true, value, token: BigInt(token), validUntil }
}

/** Moves a quorum's counters past `top` until a quorum returns one value; undefined when they keep differing. */
async function movePast(family: FamilyContext, call: ShareCall, top: number): Promise<number | undefined> {
  const { keys } = call.spec
  for (let round = 0; round < FENCE_ROUNDS; round++) {
    const moved = await gather(family, MOVE_PAST, call.requestTimeout, (i) =>
      runScript(family.instances[i]!, FENCE_PAST, keys, [top]),
    )
    const values = moved.map((a) => (a.status === 'ok' ? a.value : undefined))
    const token = agreed(values, family.quorum)
    if (token !== undefined) return token
    for (const v of values) if (v !== undefined && v > top) top = v
  }
  return undefined
}

/** Undoes an attempt everywhere, also on the slow instances (the undo queues behind the attempt there). */
function undo(family: FamilyContext, call: ShareCall, value: string): void {
  const { spec } = call
  const args = [value, spec.channel, spec.code, call.id, call.ticket, call.lease]
  family.instances.forEach((client, i) => {
    runScript(client, SHARE_UNDO, spec.keys, args).catch((err: Error) => family.reportError(i, err))
  })
}
