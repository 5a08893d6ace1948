import { randomUUID } from 'node:crypto'
import { runScript } from '@org/redis-core'
import { type InstanceAnswer, instanceAnswers } from '../answers.js'
import { driftFor } from '../attempt.js'
import { now } from '../clock.js'
import { type Answer, gather, type RoundRule, reportTimeouts } from '../gather.js'
import { FENCE_PAST } from '../scripts/fencePast.js'
import { SHARE_ACQUIRE } from '../scripts/shareAcquire.js'
import { SHARE_UNDO } from '../scripts/shareUndo.js'
import type { FamilyContext } from './FamilyContext.js'
import type { ShareCall } from './ShareSpec.js'
import { seatRegistration } from './seatTally.js'

/** A grant: the fencing counter after its increment, and the seat (-1 unless a semaphore's). */
interface Grant {
  readonly counter: number
  readonly seat: number
}

/** An instance's answer to `shareAcquire`: a grant, or its ticket counter for the waiter (0: not queued). */
type GrantReply = Grant | { readonly queuedAt: number }

const isGrant = (reply: GrantReply): reply is Grant => 'seat' in reply

function parseGrant(reply: unknown): GrantReply {
  if (Array.isArray(reply) && typeof reply[0] === 'number') {
    if (reply.length === 1) return { queuedAt: reply[0] }
    if (reply.length === 2 && typeof reply[1] === 'number') return { counter: reply[0], seat: reply[1] }
  }
  throw new Error(`unexpected shareAcquire reply: ${String(reply)}`)
}

/** The grants of the seat: one per instance, undefined where it was not granted that seat. */
const grantsOf = (answers: readonly Answer<GrantReply>[], seat: number) =>
  answers.map((a) => (a.status === 'ok' && isGrant(a.value) && a.value.seat === seat ? a.value.counter : undefined))

/** Grants per seat; a read-write lock's are all on seat -1. */
function bySeat(answers: readonly Answer<GrantReply>[]): Map<number, number> {
  const seats = new Map<number, number>()
  for (const a of answers)
    if (a.status === 'ok' && isGrant(a.value)) seats.set(a.value.seat, (seats.get(a.value.seat) ?? 0) + 1)
  return seats
}

/** The value a quorum of the grants returned, if any: a token nobody else got (see `fencePast.ts`). */
export function agreed(values: readonly (number | undefined)[], quorum: number): number | undefined {
  const counts = new Map<number, number>()
  for (const v of values) {
    if (v === undefined) continue
    const n = (counts.get(v) ?? 0) + 1
    if (n >= quorum) return v
    counts.set(v, n)
  }
  return undefined
}

/** Decided once a quorum granted one seat with one counter, or no seat can reach a quorum any more. */
const TAKE: RoundRule<GrantReply> = {
  parse: parseGrant,
  decided(answers, quorum) {
    let pending = 0
    for (const a of answers) if (a.status === 'pending') pending++
    for (const [seat, got] of bySeat(answers)) {
      if (got + pending >= quorum && (got < quorum || agreed(grantsOf(answers, seat), quorum) === undefined))
        return false
      if (got >= quorum) return true
    }
    return pending < quorum
  },
}

/** Waits for every instance asked (the others answer at once): the counters moved are compared as a whole. */
const MOVE_PAST: RoundRule<number> = { parse: Number, decided: () => false }

/**
 * How far past the highest counter seen each round of `fencePast` moves the counters, before an attempt whose counters
 * keep differing gives up (and is retried). Not just past it: under contention other grants raise the counters while
 * the round is on its way, and "one past" then differs by instance. Measured in a one-process L5 probe (4 Redlocks x
 * 4 workers, 4 permits): with no slack 24% of the moves failed all three rounds (and 50% needed a second); with
 * these, none of ~2,400 failed and 3-11% needed a second round. Tokens only need to be distinct and rising: a gap
 * costs nothing.
 */
const FENCE_SLACK = [7, 63, 511]

/** The outcome of one attempt at a shared hold. */
export type ShareOutcome =
  | {
      readonly ok: true
      readonly value: string
      readonly token: bigint
      /** The semaphore seat a quorum gave it (-1 for a read-write lock). */
      readonly seat: number
      readonly validUntil: number
    }
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
 * won on a quorum with validity `ttl - elapsed - drift` left. A semaphore's permit must be given the same seat by a
 * quorum (see `scripts/shareQueue.ts`: seats are what keeps the holders to `permits`); where another seat was given,
 * it is let go at once. The fencing token is a counter value a quorum returned: each grant raises the counter by one,
 * so that value was returned to this attempt only; when the granting instances disagree, `fencePast` moves a quorum
 * past the highest one first. A failed attempt is undone on every instance that may hold it.
 */
export async function attemptShare(family: FamilyContext, call: ShareCall): Promise<ShareOutcome> {
  const { spec, ttl, requestTimeout } = call
  const value = randomUUID()
  const start = now()
  const args: (string | number)[] = [spec.code, value, ttl, spec.permits, call.lease, call.ticket, call.id, call.seat]
  // A waiter that may queue registers a new grant value with each attempt (see `scripts/shareHandOver.ts`); from now
  // on a hold handed to the previous one no longer counts for it (this attempt takes such holds over).
  if (call.lease > 0) {
    call.grant = `${call.id}/${call.tries}`
    call.grantSince = start
    args.push(seatRegistration(call, family.inbox)!)
  }
  call.tries++
  const answers = await gather(family, TAKE, requestTimeout, (i) =>
    runScript(family.instances[i]!, SHARE_ACQUIRE, spec.keys, args),
  )
  reportTimeouts(family, answers, requestTimeout)
  let counter = 0
  for (const a of answers) if (a.status === 'ok' && !isGrant(a.value)) counter = Math.max(counter, a.value.queuedAt)
  if (counter > 0) call.queued = true
  // The seat most instances gave: the one that may have a quorum, and the next one to ask. Among equals, one at
  // random: instances whose free seats differ (one was cut off while others took seats) may have only one seat free
  // in common, and a fixed choice could keep asking for another.
  let seat = -1
  let got = 0
  let ties = 0
  for (const [s, n] of bySeat(answers)) {
    if (n > got) [seat, got, ties] = [s, n, 1]
    else if (n === got && Math.random() * ++ties < 1) seat = s
  }
  if (got > 0) call.seat = seat
  const described = instanceAnswers(answers, (reply) => !isGrant(reply))
  const fail = (locked: boolean): ShareOutcome => {
    undo(family, call, value, answers, undefined)
    return { ok: false, locked, answers: described, counter }
  }
  if (got < family.quorum) return fail(described.some((a) => a.status === 'locked'))
  const grants = grantsOf(answers, seat)
  const top = Math.max(...grants.map((g) => g ?? 0))
  const token = agreed(grants, family.quorum) ?? (await movePast(family, call, top, grants))
  if (token === undefined) return fail(false)
  const validUntil = start + ttl - driftFor(ttl, family.settings.driftFactor)
  if (validUntil <= now()) return fail(false)
  // Instances that gave another seat (or have not answered) let it go; the quorum's keep it.
  undo(family, call, value, answers, seat)
  call.granted = grants.map((g) => g !== undefined)
  return { ok: true, value, token: BigInt(token), seat, validUntil }
}

/**
 * Moves the counters of the instances that granted the hold past `top` until a quorum of them returns one value;
 * undefined when they keep differing. Only those instances: the token must be recorded where the hold is held, while
 * it is held, so that a hold that excludes this one (a writer and anybody) and is granted there later, after this
 * one let go, counts from above it. (An instance that did not grant may have granted an early attempt of a waiter
 * that will win later, before the move.)
 */
export async function movePast(
  family: FamilyContext,
  call: ShareCall,
  top: number,
  grants: readonly (number | undefined)[],
): Promise<number | undefined> {
  const { keys } = call.spec
  for (const slack of FENCE_SLACK) {
    const past = top + slack
    const moved = await gather(family, MOVE_PAST, call.requestTimeout, (i) =>
      grants[i] === undefined ? Promise.resolve(Number.NaN) : runScript(family.instances[i]!, FENCE_PAST, keys, [past]),
    )
    const values = moved.map((a) => (a.status === 'ok' && Number.isFinite(a.value) ? a.value : undefined))
    const token = agreed(values, family.quorum)
    if (token !== undefined) return token
    for (const v of values) if (v !== undefined && v > top) top = v
  }
  return undefined
}

/**
 * Undoes an attempt wherever it may hold but must not, also on the slow instances (the undo queues behind the attempt
 * there): everywhere after a failure, but where the seat `kept` was given after a win. An instance that refused set
 * nothing and kept the waiter queued, so it is left alone. After a failure the waiter is put back in line where a
 * grant took it out; after a win it is not (it leaves the queues).
 */
function undo(
  family: FamilyContext,
  call: ShareCall,
  value: string,
  answers: readonly Answer<GrantReply>[],
  kept: number | undefined,
): void {
  const { spec } = call
  const ticket = kept === undefined ? call.ticket : 0
  const args = [value, spec.channel, spec.code, call.id, ticket, call.lease, spec.permits]
  const registered = seatRegistration(call, family.inbox)
  if (ticket > 0 && registered !== undefined) args.push(registered)
  family.instances.forEach((client, i) => {
    const a = answers[i]!
    if (a.status === 'ok' && (!isGrant(a.value) || a.value.seat === kept)) return
    // After a win, an instance that has not answered yet keeps what it may grant: most likely the same seat, and the
    // release lets it go in any case (a seat given on one instance only counts for nobody).
    if (kept !== undefined && a.status !== 'ok') return
    runScript(client, SHARE_UNDO, spec.keys, args).catch((err: Error) => family.reportError(i, err))
  })
}
