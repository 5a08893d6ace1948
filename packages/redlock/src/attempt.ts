import { now } from './clock.js'
import type { InstanceAnswer } from './errors.js'
import { type Answer, gather, quorumOk, tally } from './gather.js'
import { type AcquireReply, type Instance, parseAcquireReply } from './Instance.js'
import { asIs, isNoScript } from './runScript.js'

/** What an attempt needs from its Redlock. */
export interface AttemptContext {
  readonly instances: readonly Instance[]
  readonly quorum: number
  readonly driftFactor: number
  /** Told about every instance that failed or timed out. */
  reportError(index: number, error: Error): void
}

/** One attempt's parameters. */
export interface AttemptRequest {
  readonly resources: readonly string[]
  readonly value: string
  readonly ttl: number
  /** How many tokens to record (>= 1): the extra ones let this lock be handed over without a round trip. */
  readonly reserve: bigint
  readonly requestTimeout: number
}

/** The outcome of one attempt. */
export type AttemptOutcome =
  | {
      readonly ok: true
      readonly token: bigint
      /** The highest token recorded on a quorum for this lock (token + reserve - 1). */
      readonly ceiling: bigint
      readonly validUntil: number
      readonly answers: InstanceAnswer[]
    }
  | { readonly ok: false; readonly locked: boolean; readonly answers: InstanceAnswer[] }

/** Clock drift allowance of the Redlock spec. */
export function driftFor(ttl: number, driftFactor: number): number {
  return Math.floor(ttl * driftFactor) + 2
}

/** Turns raw answers into the public per-instance report. */
export function describe<R>(
  answers: readonly Answer<R>[],
  isLocked: (value: R) => boolean = () => false,
): InstanceAnswer[] {
  return answers.map((a, instance) => {
    if (a.status === 'ok') return { instance, status: isLocked(a.value) ? 'locked' : 'ok' }
    if (a.status === 'error') return { instance, status: 'error', error: a.error }
    return { instance, status: a.status }
  })
}

/** Reports every timed-out instance as a client error (failed requests report themselves through gather). */
export function reportTimeouts<R>(ctx: AttemptContext, answers: readonly Answer<R>[], timeoutMs: number): void {
  for (let i = 0; i < answers.length; i++) {
    if (answers[i]!.status === 'timeout') ctx.reportError(i, new Error(`no answer within ${timeoutMs} ms`))
  }
}

/** Removes whatever this attempt set, on every instance (also the slow ones: their undo queues behind the set). */
export function undo(ctx: AttemptContext, resources: readonly string[], value: string): void {
  ctx.instances.forEach((instance, i) => {
    const report = (err: Error) => ctx.reportError(i, err)
    instance.release(resources, value).catch((err: Error) => {
      if (isNoScript(err)) instance.release(resources, value, true).catch(report)
      else report(err)
    })
  })
}

const LOCKED = 0

const isLocked = (reply: AcquireReply): boolean => reply === LOCKED

/** A failed attempt: its partial lock is undone at once. */
function failed(ctx: AttemptContext, req: AttemptRequest, locked: boolean, answers: InstanceAnswer[]): AttemptOutcome {
  undo(ctx, req.resources, req.value)
  return { ok: false, locked, answers }
}

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
function firstRoundDecided(answers: readonly Answer<AcquireReply>[], quorum: number): boolean {
  let got = 0
  let pending = 0
  for (const a of answers) {
    if (a.status === 'pending') pending++
    else if (a.status === 'ok' && a.value !== LOCKED) got++
  }
  return got + pending < quorum || (got >= quorum && agreed(answers, quorum) !== undefined)
}

/**
 * One Redlock attempt: set the keys everywhere in parallel, succeed on a quorum with validity left. The fencing
 * token is recorded on a quorum before it is returned: in one round when a quorum's counters agree (the usual case,
 * as every lock leaves its quorum's counters equal), else in a second round that raises them to the highest one.
 * Any failure undoes the partial lock at once. Not an async function: nothing is allocated for the attempt's own
 * continuation before its requests are written.
 */
export function attemptAcquire<T>(
  ctx: AttemptContext,
  req: AttemptRequest,
  next: (outcome: AttemptOutcome) => T | PromiseLike<T>,
): Promise<T> {
  const { instances } = ctx
  const { resources, value, ttl, reserve } = req
  const start = now()
  return gather(
    instances.length,
    (i, full) => instances[i]!.acquire(resources, value, ttl, reserve, full),
    parseAcquireReply,
    req.requestTimeout,
    firstRoundDecided,
    ctx.quorum,
    ctx.reportError,
    (first) => {
      const outcome = afterFirstRound(ctx, req, start, first)
      return outcome instanceof Promise ? outcome.then(next) : next(outcome)
    },
  )
}

/** The outcome of the first round, or the second round that raises the counters when they differ. */
function afterFirstRound(
  ctx: AttemptContext,
  req: AttemptRequest,
  start: number,
  first: Answer<AcquireReply>[],
): AttemptOutcome | Promise<AttemptOutcome> {
  reportTimeouts(ctx, first, req.requestTimeout)
  let got = 0
  let top = 0
  for (const a of first) {
    if (a.status !== 'ok' || a.value === LOCKED) continue
    got++
    if (a.value > top) top = a.value
  }
  if (got < ctx.quorum) {
    const answers = describe(first, isLocked)
    return failed(
      ctx,
      req,
      answers.some((a) => a.status === 'locked'),
      answers,
    )
  }
  const ceiling = agreed(first, ctx.quorum)
  // Counters differ (an instance restarted without its data, or missed locks): a quorum must reach the highest.
  if (ceiling === undefined) return raiseRound(ctx, req, start, first, top)
  return granted(ctx, req, start, first, ceiling, [])
}

/** Raises the counters of a quorum to `top`, the highest one seen, before the lock is granted with it. */
async function raiseRound(
  ctx: AttemptContext,
  req: AttemptRequest,
  start: number,
  first: Answer<AcquireReply>[],
  top: number,
): Promise<AttemptOutcome> {
  const second = await gather(
    ctx.instances.length,
    (i) => ctx.instances[i]!.raise(req.resources, BigInt(top)),
    asIs,
    req.requestTimeout,
    quorumOk,
    ctx.quorum,
    ctx.reportError,
  )
  reportTimeouts(ctx, second, req.requestTimeout)
  const answers = describe(second)
  if (tally(second, () => true).ok < ctx.quorum) return failed(ctx, req, false, answers)
  return granted(ctx, req, start, first, top, answers)
}

/** The lock, when validity is left after the rounds; counted from the start of the attempt that won. */
function granted(
  ctx: AttemptContext,
  req: AttemptRequest,
  start: number,
  first: Answer<AcquireReply>[],
  ceiling: number,
  answers: InstanceAnswer[],
): AttemptOutcome {
  const validUntil = start + req.ttl - driftFor(req.ttl, ctx.driftFactor)
  if (validUntil <= now()) return failed(ctx, req, false, answers.length > 0 ? answers : describe(first, isLocked))
  const recorded = BigInt(ceiling)
  return { ok: true, token: recorded - req.reserve + 1n, ceiling: recorded, validUntil, answers }
}
