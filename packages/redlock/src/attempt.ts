import { randomUUID } from 'node:crypto'
import { isThenable } from '@org/redis-core'
import type { AcquireCall } from './AcquireCall.js'
import { type InstanceAnswer, instanceAnswers } from './answers.js'
import { now } from './clock.js'
import type { RedlockContext } from './context.js'
import { registration } from './directGrant.js'
import { type Answer, gather, quorumOk, type RoundRule, reportTimeouts, tally } from './gather.js'
import { type AcquireReply, type AcquireRequest, FALL_BACK, isGrant, parseAcquireReply } from './Instance.js'
import { passTarget } from './queueOrder.js'

/** What an attempt is asked for: the same for every attempt of one acquire, but for the place it has in line. */
export interface AttemptCall extends AcquireCall {
  readonly resources: readonly string[]
  /** Whether the first attempt takes the fast path (`fastPath.ts`). */
  readonly fast: boolean
  /**
   * The grant value the waiter's last attempt registered (one resource, a waiter that will queue; see
   * `directGrant.ts`): a release hands the key to it. Each attempt registers a new one.
   */
  grant?: string
  /** Monotonic ms when the attempt that registered `grant` started: no key was handed to it before. */
  grantSince: number
}

/** The outcome of one attempt. */
export type AttemptOutcome =
  | {
      readonly ok: true
      /** The random value set in every key: this attempt's own. */
      readonly value: string
      /** The id of the acquire's place in the queues in Redis. */
      readonly waiter: string
      readonly token: bigint
      /** The highest token recorded on a quorum for this lock (token + reserve - 1). */
      readonly ceiling: bigint
      readonly validUntil: number
      readonly answers: InstanceAnswer[]
    }
  | FailedAttempt

/** A failed attempt: whether another holder held the resources, and what each instance answered. */
export interface FailedAttempt {
  readonly ok: false
  readonly locked: boolean
  readonly answers: InstanceAnswer[]
  /** The highest ticket counter the refusing instances gave the waiter (0: not queued). */
  readonly counter: number
  /**
   * A claim that kept what it got, short of a quorum: its waiter goes first among the contenders it met (see
   * `queueOrder.ts`), so they wait for it, and its next attempt is due soon rather than after the retry delay.
   */
  readonly kept: boolean
}

/** Clock drift allowance of the Redlock spec. */
export function driftFor(ttl: number, driftFactor: number): number {
  return Math.floor(ttl * driftFactor) + 2
}

const isLocked = (reply: AcquireReply): boolean => !isGrant(reply)

/** The value a quorum of instances agreed on, or undefined while there is none. */
function agreed(answers: readonly Answer<AcquireReply>[], quorum: number): number | undefined {
  for (let i = 0; i < answers.length; i++) {
    const a = answers[i]!
    if (a.status !== 'ok' || !isGrant(a.value)) continue
    let same = 1
    for (let j = i + 1; j < answers.length; j++) {
      const b = answers[j]!
      if (b.status === 'ok' && b.value === a.value) same++
    }
    if (same >= quorum) return a.value
  }
  return undefined
}

/** The first round is decided once a quorum agreed on a counter, or the lock can no longer be had on a quorum. */
const SET_KEYS: RoundRule<AcquireReply> = {
  parse: parseAcquireReply,
  decided(answers, quorum) {
    let got = 0
    let pending = 0
    for (const a of answers) {
      if (a.status === 'pending') pending++
      else if (a.status === 'ok' && isGrant(a.value)) got++
    }
    return got + pending < quorum || (got >= quorum && agreed(answers, quorum) !== undefined)
  },
}

/** The first round of a fast first attempt: the same, and an instance that answers the sentinel gets the full script. */
const SET_KEYS_FAST: RoundRule<AcquireReply> = { ...SET_KEYS, again: (reply) => reply === FALL_BACK }

/** The second round, when the counters differed: decided once a quorum raised them or can no longer. */
const RAISE_COUNTERS: RoundRule<unknown> = { parse: (reply) => reply, decided: quorumOk }

/** One attempt's own: its value, how many tokens it records, when it started. */
interface Try {
  readonly call: AttemptCall
  readonly value: string
  readonly reserve: bigint
  readonly start: number
}

/**
 * One Redlock attempt: sets the keys everywhere in parallel with a value of its own, and wins on a quorum with
 * validity left, counted from the attempt's start. The fencing token is recorded on a quorum before it is returned:
 * in one round when a quorum's counters agree (the usual case, as every lock leaves its quorum's counters equal),
 * else in a second round that raises them to the highest one. A failed attempt is undone on every instance at once.
 *
 * `reserve` tokens are recorded (>= 1): the spare ones let the lock pass to a waiter of this process without a round
 * trip. `then` reads the outcome in the reaction to the deciding reply (see `gather`).
 */
export function attempt<T>(
  ctx: RedlockContext,
  call: AttemptCall,
  reserve: bigint,
  then: (outcome: AttemptOutcome) => T | PromiseLike<T>,
): Promise<T> {
  // A value per attempt: the undo of a failed attempt, if it ever ran late, cannot touch a later attempt's lock.
  const value = call.tries === 0 ? call.id : randomUUID()
  const fast = call.tries === 0 && call.fast && reserve === 1n
  const { resources, ttl, lease, ticket, id } = call
  // A waiter for one resource registers a new grant value with each attempt (see `directGrant.ts`).
  const grant = lease > 0 && resources.length === 1 ? `${id}/${call.tries}` : undefined
  call.tries++
  const start = now()
  if (grant !== undefined) {
    call.grant = grant
    call.grantSince = start
  }
  const request: AcquireRequest = {
    resources,
    value,
    ttl,
    reserve,
    lease,
    ticket,
    waiter: id,
    grant: registration(grant, ctx.inbox),
  }
  const send = fast
    ? (i: number, full?: boolean) => {
        // Asked again in full: this instance found the queue or the key held, so the resource is contended.
        if (full) ctx.contention.saw(resources)
        return ctx.instances[i]!.acquire(request, !full)
      }
    : (i: number) => ctx.instances[i]!.acquire(request)
  return gather(ctx, fast ? SET_KEYS_FAST : SET_KEYS, call.requestTimeout, send, (first) => {
    const outcome = afterSetKeys(ctx, { call, value, reserve, start }, first)
    return isThenable(outcome) ? outcome.then(then) : then(outcome)
  })
}

/** The outcome of the first round, or of the second round that raises the counters when they differ. */
function afterSetKeys(
  ctx: RedlockContext,
  t: Try,
  first: Answer<AcquireReply>[],
): AttemptOutcome | Promise<AttemptOutcome> {
  reportTimeouts(ctx, first, t.call.requestTimeout)
  let got = 0
  let top = 0
  for (const a of first) {
    if (a.status !== 'ok' || !isGrant(a.value)) continue
    got++
    if (a.value > top) top = a.value
  }
  if (got < ctx.quorum) {
    const answers = instanceAnswers(first, isLocked)
    return failed(
      ctx,
      t,
      answers.some((a) => a.status === 'locked'),
      answers,
      first,
    )
  }
  const ceiling = agreed(first, ctx.quorum)
  // Counters differ (an instance restarted without its data, or missed locks): a quorum must reach the highest.
  if (ceiling === undefined) return raiseCounters(ctx, t, first, top)
  return won(ctx, t, first, ceiling, [])
}

/** Raises the counters of a quorum to `top`, the highest one seen, before the lock is granted with it. */
async function raiseCounters(
  ctx: RedlockContext,
  t: Try,
  first: Answer<AcquireReply>[],
  top: number,
): Promise<AttemptOutcome> {
  const { resources, requestTimeout } = t.call
  const second = await gather(ctx, RAISE_COUNTERS, requestTimeout, (i) =>
    ctx.instances[i]!.raise(resources, BigInt(top)),
  )
  reportTimeouts(ctx, second, requestTimeout)
  const answers = instanceAnswers(second)
  if (tally(second, () => true).ok < ctx.quorum) return failed(ctx, t, false, answers, first)
  return won(ctx, t, first, top, answers)
}

/** The lock, when validity is left after the rounds. */
function won(
  ctx: RedlockContext,
  t: Try,
  first: Answer<AcquireReply>[],
  ceiling: number,
  answers: InstanceAnswer[],
): AttemptOutcome {
  const { ttl } = t.call
  const validUntil = t.start + ttl - driftFor(ttl, ctx.settings.driftFactor)
  if (validUntil <= now()) {
    return failed(ctx, t, false, answers.length > 0 ? answers : instanceAnswers(first, isLocked), first)
  }
  const recorded = BigInt(ceiling)
  const { value, reserve } = t
  return { ok: true, value, waiter: t.call.id, token: recorded - reserve + 1n, ceiling: recorded, validUntil, answers }
}

/**
 * A failed attempt: whatever it set is undone on every instance that did not refuse it, also the slow ones (their
 * undo queues behind). A first attempt releases it (to the next waiter in line there, if any). A waiter's claim keeps what it got, or
 * passes it to the waiter that goes before it (see `queueOrder.ts`), so that contenders who split the instances
 * between them settle in the next round, the same way in every process.
 */
function failed(
  ctx: RedlockContext,
  t: Try,
  locked: boolean,
  answers: InstanceAnswer[],
  first: readonly Answer<AcquireReply>[],
): FailedAttempt {
  const { call, value } = t
  const { resources } = call
  if (locked) ctx.contention.saw(resources)
  let counter = 0
  for (const a of first)
    if (a.status === 'ok' && !isGrant(a.value) && a.value.counter > counter) counter = a.value.counter
  let kept = false
  if (call.ticket > 0 && value !== call.id) {
    const target = passTarget(call, first)
    kept = target === call.id && first.some((a) => a.status === 'ok' && isGrant(a.value))
    ctx.instances.forEach((instance, i) => {
      const a = first[i]!
      if (a.status === 'ok' && !isGrant(a.value)) return // nothing was set there
      instance.pass(resources, value, call.id, target).catch((err: Error) => ctx.reportError(i, err))
    })
  } else {
    ctx.instances.forEach((instance, i) => {
      // A refusal set nothing there, and queued the waiter when it will wait: a release would only take it out of
      // the queue again (for its renewal to put it back) and cost a script.
      const a = first[i]!
      if (a.status === 'ok' && !isGrant(a.value)) return
      instance.release(resources, value, call.id).catch((err: Error) => ctx.reportError(i, err))
    })
  }
  return { ok: false, locked, answers, counter, kept }
}
