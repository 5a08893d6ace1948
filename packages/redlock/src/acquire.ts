import { randomUUID } from 'node:crypto'
import type { InstanceAnswer } from './answers.js'
import { type AttemptCall, type AttemptOutcome, attempt, type FailedAttempt } from './attempt.js'
import { now } from './clock.js'
import type { RedlockContext } from './context.js'
import { GrantTally, takeGrant } from './directGrant.js'
import { LockError, ResourceLockedError } from './errors.js'
import { Lock } from './Lock.js'
import { type AcquireOptions, HANDOVER_TOKENS, requestTimeoutFor, retriesOf, WAITER_LEASE } from './options.js'
import { QueuePlace } from './QueuePlace.js'
import { Waiter } from './Waiter.js'

/** One acquire: what it asks for and when its timeout started. */
interface AcquireCall extends AttemptCall {
  readonly options: AcquireOptions
  /** Monotonic ms of the call (only read with a timeout). */
  readonly startedAt: number
}

/**
 * The acquire path, top to bottom (the input was checked by `Redlock.acquire`):
 *
 * 1. When nothing in this Redlock holds or waits for the resources, the first attempt is sent at once, with no
 *    waiter and no async frame, and a won lock is returned in the reaction to the deciding reply. A one-resource lock
 *    not seen contended lately sends it in the pre-queue shape (`fastPath.ts`).
 * 2. Otherwise, and after that attempt failed, the acquire waits in line (`inLine`). A refused attempt of an acquire
 *    that will wait also queues it in Redis (see `QueuePlace.ts`), where waiters of every process are served in
 *    order: a release there hands the lock's keys to the first one, which holds them once a quorum handed them to
 *    it with one token (`directGrant.ts`, one resource), or claims them with its next attempt.
 */
export function acquire(
  ctx: RedlockContext,
  resources: readonly string[],
  ttl: number,
  options: AcquireOptions,
): Promise<Lock> {
  const startedAt = options.timeout === undefined ? 0 : now()
  const inLineFirst = options.signal?.aborted === true || (ctx.queue.busy(resources) && !throughRedis(ctx, resources))
  const call: AcquireCall = {
    resources,
    ttl,
    options,
    startedAt,
    requestTimeout: requestTimeoutFor(ctx.settings, ttl),
    id: randomUUID(),
    // An acquire that gives up after its first attempt is not queued: it would only have to leave again.
    lease: retriesOf(options, ctx.settings) === 0 ? 0 : WAITER_LEASE,
    ticket: 0,
    tries: 0,
    fast: !inLineFirst && ctx.contention.fastFor(resources),
    grantSince: 0,
  }
  if (inLineFirst) return inLine(ctx, call)
  return attempt(ctx, call, 1n, (outcome) => (outcome.ok ? holding(ctx, call, 1, outcome) : inLine(ctx, call, outcome)))
}

/**
 * Waits in this Redlock's line for the resources and attempts each time it is woken (a release here, a release
 * announced by another process, or the retry timer), until it wins, is handed the lock by the holder before it,
 * or gives up: retries used up, timeout passed, signal aborted. `first` is an attempt already made.
 */
async function inLine(ctx: RedlockContext, call: AcquireCall, first?: FailedAttempt): Promise<Lock> {
  const { resources, options } = call
  const retries = retriesOf(options, ctx.settings)
  const deadline = options.timeout === undefined ? Number.POSITIVE_INFINITY : call.startedAt + options.timeout
  const waiter = new Waiter(resources, call.ttl, call.id)
  if (call.lease > 0 && resources.length === 1) waiter.tally = new GrantTally(call, ctx.instances.length, ctx.quorum)
  const place = new QueuePlace(ctx, call, waiter)
  if (first) join(place, call, waiter, first.counter)
  let attempts = first ? 1 : 0
  let last: Pick<FailedAttempt, 'locked' | 'answers'> = first ?? { locked: false, answers: [] }
  let won = false
  let kept = false
  try {
    for (;;) {
      if (retries >= 0 && attempts > retries) throw outOfRetries(resources, attempts, last)
      if (options.signal?.aborted) throw aborted(options.signal, attempts, last.answers)
      waiter.attempts = attempts
      ctx.queue.enqueue(waiter)
      const end = await waiter.wait(kept ? KEPT_RETRY_MS : retryDelay(ctx, options), options.signal, deadline)
      if (end === 'aborted') throw aborted(options.signal, attempts, last.answers)
      if (end === 'timeout') throw timedOut(ctx, call, attempts, last)
      if (end === 'granted' && waiter.granted) {
        won = true
        ctx.acquired(waiter.granted)
        return waiter.granted
      }
      if (end === 'handed' && waiter.tally) {
        // A quorum handed the key to this waiter's grant value: held without a claim (else it claims below).
        const lock = takeGrant(ctx, call, waiter.tally, attempts + 1)
        if (lock) {
          won = true
          ctx.queue.hold(lock)
          ctx.acquired(lock)
          return lock
        }
      }
      attempts++
      if (ctx.queue.heldHere(resources)) {
        // Still held by a lock of this Redlock: an attempt could only fail.
        last = { locked: true, answers: ctx.instances.map((_, instance) => ({ instance, status: 'locked' as const })) }
        continue
      }
      // A contended lock records spare tokens, so it can later pass to the next waiter without a round trip.
      const outcome: AttemptOutcome = await attempt(ctx, call, HANDOVER_TOKENS, (o) => o)
      if (outcome.ok) {
        won = true
        return holding(ctx, call, attempts, outcome)
      }
      join(place, call, waiter, outcome.counter)
      kept = outcome.kept
      last = outcome
    }
  } finally {
    place.end(won)
    ctx.queue.remove(waiter)
  }
}

/**
 * Whether the lock goes to the next waiter through the queue in Redis rather than within this Redlock: `fifo`, and a
 * waiter of another process waits. A newcomer then takes its place there at once with its first attempt (refused,
 * it queues it), instead of waiting behind this Redlock's waiters for a wake-up or its retry timer: in L4b (4
 * processes x 4 workers), waiters that queued here first waited 100-300 ms for their timer before Redis knew them.
 */
function throughRedis(ctx: RedlockContext, resources: readonly string[]): boolean {
  return ctx.settings.fairness === 'fifo' && ctx.othersWait(resources)
}

/**
 * The wait before the next attempt of a claim that kept keys short of a quorum (`FailedAttempt.kept`). Waiting the
 * whole retry delay there stalled everyone: in L4's first rounds, with tickets not yet settled everywhere, every
 * process stopped for 200-250 ms (its retry timer) while such keys sat on a minority. A few ms let the renewals
 * settle the tickets, so the next claim wins or passes its keys on.
 */
const KEPT_RETRY_MS = 5

/** A lock won by an attempt: recorded as held here, announced, returned. */
function holding(
  ctx: RedlockContext,
  call: AcquireCall,
  attempts: number,
  outcome: Extract<AttemptOutcome, { ok: true }>,
): Lock {
  const lock = new Lock(ctx.owner, {
    resources: call.resources,
    value: outcome.value,
    waiter: outcome.waiter,
    attempts,
    fencingToken: outcome.token,
    tokenCeiling: outcome.ceiling,
    ttl: call.ttl,
    validUntil: outcome.validUntil,
  })
  ctx.queue.hold(lock)
  ctx.acquired(lock)
  return lock
}

/** Takes the waiter's place in Redis after a refusal (see `QueuePlace`), where a direct grant can reach it. */
function join(place: QueuePlace, call: AcquireCall, waiter: Waiter, counter: number): void {
  place.join(counter)
  waiter.awaitsGrant = waiter.tally !== undefined && call.ticket > 0
}

/** The delay before the next attempt, unless something wakes the waiter sooner: `retryDelay +/- retryJitter`. */
function retryDelay(ctx: RedlockContext, options: AcquireOptions): number {
  const delay = options.retryDelay ?? ctx.settings.retryDelay
  const jitter = options.retryJitter ?? ctx.settings.retryJitter
  return Math.max(0, delay + Math.round((Math.random() * 2 - 1) * jitter))
}

// How an acquire gives up (the README's table): the class says what the last attempt found, `reason` how it ended.

function outOfRetries(resources: readonly string[], attempts: number, last: Pick<FailedAttempt, 'locked' | 'answers'>) {
  if (last.locked) return new ResourceLockedError(resources, attempts, last.answers)
  return new LockError('no quorum of instances granted the lock', { reason: 'quorum', attempts, answers: last.answers })
}

function aborted(signal: AbortSignal | undefined, attempts: number, answers: readonly InstanceAnswer[]) {
  return new LockError('acquire aborted', { reason: 'aborted', attempts, answers, cause: signal?.reason })
}

function timedOut(
  ctx: RedlockContext,
  call: AcquireCall,
  attempts: number,
  last: Pick<FailedAttempt, 'locked' | 'answers'>,
) {
  // Held here counts as held: a waiter queued behind a lock of this Redlock may not have tried yet.
  if (last.locked || ctx.queue.heldHere(call.resources)) {
    return new ResourceLockedError(call.resources, attempts, last.answers, 'timeout')
  }
  const { answers } = last
  return new LockError(`acquire timed out (${call.options.timeout} ms)`, { reason: 'timeout', attempts, answers })
}
