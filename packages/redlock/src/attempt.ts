import { randomUUID } from 'node:crypto'
import { isThenable } from '@org/redis-core'
import { type InstanceAnswer, instanceAnswers } from './answers.js'
import { now } from './clock.js'
import type { RedlockContext } from './context.js'
import { type Answer, gather, quorumOk, type RoundRule, reportTimeouts, tally } from './gather.js'
import { type AcquireReply, parseAcquireReply } from './Instance.js'

/** What an attempt is asked for: the same for every attempt of one acquire. */
export interface AttemptCall {
  readonly resources: readonly string[]
  readonly ttl: number
  readonly requestTimeout: number
}

/** The outcome of one attempt. */
export type AttemptOutcome =
  | {
      readonly ok: true
      /** The random value set in every key: this attempt's own. */
      readonly value: string
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
}

/** Clock drift allowance of the Redlock spec. */
export function driftFor(ttl: number, driftFactor: number): number {
  return Math.floor(ttl * driftFactor) + 2
}

const LOCKED = 0

const isLocked = (reply: AcquireReply): boolean => reply === LOCKED

/** The value a quorum of instances agreed on, or undefined while there is none. */
function agreed(answers: readonly Answer<AcquireReply>[], quorum: number): number | undefined {
  for (let i = 0; i < answers.length; i++) {
    const a = answers[i]!
    if (a.status !== 'ok' || a.value === LOCKED) continue
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
      else if (a.status === 'ok' && a.value !== LOCKED) got++
    }
    return got + pending < quorum || (got >= quorum && agreed(answers, quorum) !== undefined)
  },
}

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
  const value = randomUUID()
  const start = now()
  const send = (i: number) => ctx.instances[i]!.acquire(call.resources, value, call.ttl, reserve)
  return gather(ctx, SET_KEYS, call.requestTimeout, send, (first) => {
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
    if (a.status !== 'ok' || a.value === LOCKED) continue
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
  if (tally(second, () => true).ok < ctx.quorum) return failed(ctx, t, false, answers)
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
  if (validUntil <= now()) return failed(ctx, t, false, answers.length > 0 ? answers : instanceAnswers(first, isLocked))
  const recorded = BigInt(ceiling)
  return { ok: true, value: t.value, token: recorded - t.reserve + 1n, ceiling: recorded, validUntil, answers }
}

/** A failed attempt: whatever it set is removed on every instance, also the slow ones (their undo queues behind). */
function failed(ctx: RedlockContext, t: Try, locked: boolean, answers: InstanceAnswer[]): FailedAttempt {
  const { resources } = t.call
  ctx.instances.forEach((instance, i) => {
    instance.release(resources, t.value).catch((err: Error) => ctx.reportError(i, err))
  })
  return { ok: false, locked, answers }
}
