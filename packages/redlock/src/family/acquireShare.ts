import { randomUUID } from 'node:crypto'
import type { InstanceAnswer } from '../answers.js'
import { now } from '../clock.js'
import { LockError, ResourceLockedError } from '../errors.js'
import { type AcquireOptions, requestTimeoutFor, retriesOf, WAITER_LEASE } from '../options.js'
import { Waiter } from '../Waiter.js'
import { attemptShare, type ShareOutcome } from './attemptShare.js'
import type { FamilyContext } from './FamilyContext.js'
import type { ShareInit } from './Share.js'
import { SharePlace } from './SharePlace.js'
import type { ShareCall, ShareSpec } from './ShareSpec.js'
import { SeatTally } from './seatTally.js'
import { takeShareGrant } from './shareGrant.js'

/**
 * The seat the next permit acquire of this process prefers (see `seatTally.ts`): in turn, so this process' waiters
 * spread over the seats and a freed seat usually finds a waiter near the head of the line that prefers it.
 */
let turn = 0

/** What the last attempt found, for the error an acquire gives up with. */
interface Last {
  readonly locked: boolean
  readonly answers: InstanceAnswer[]
}

/**
 * The acquire path of a read, write or permit hold, top to bottom (the input was checked by its caller):
 *
 * 1. The first attempt goes out at once: a refused one queues it in Redis, where the waiters of every process are
 *    ordered (so it does not wait behind this process' other waiters first).
 * 2. After a refused attempt it waits in the common queue in Redis (`SharePlace`). A permit's waiter holds once a
 *    quorum of instances handed it one seat (`shareGrant.ts`, `scripts/shareHandOver.ts`), without an attempt. Else it
 *    attempts each time it is woken: an instance announced that a change let it in (`>id`, see
 *    `scripts/shareQueue.ts`), a renewal says it would be admitted, no seat can be handed to it by a quorum any more,
 *    or the retry timer.
 * 3. It ends when it wins (the hold is returned), or gives up: retries used up, timeout passed, signal aborted.
 */
export async function acquireShare(
  family: FamilyContext,
  spec: ShareSpec,
  ttl: number,
  options: AcquireOptions,
): Promise<ShareInit> {
  const { settings } = family
  const retries = retriesOf(options, settings)
  const startedAt = now()
  const deadline = options.timeout === undefined ? Number.POSITIVE_INFINITY : startedAt + options.timeout
  const prefers = spec.permits > 0 ? turn++ % spec.permits : -1
  const call: ShareCall = {
    spec,
    ttl,
    requestTimeout: requestTimeoutFor(settings, ttl),
    id: randomUUID(),
    lease: retries === 0 ? 0 : WAITER_LEASE,
    ticket: 0,
    tries: 0,
    queued: false,
    granted: undefined,
    seat: prefers,
    grantSince: 0,
    prefers,
  }
  // A key of its own in the wait queue (see `FamilyContext.ts`): woken by id, never behind another waiter here.
  const waiter = new Waiter([`${spec.resource}\n${call.id}`], ttl, call.id)
  const place = new SharePlace(family, call, waiter)
  const tally = call.lease > 0 ? new SeatTally(call, family.instances.length, family.quorum) : undefined
  const won = (outcome: Extract<ShareOutcome, { ok: true }>, attempts: number): ShareInit => ({
    kind: spec.kind,
    name: spec.name,
    value: outcome.value,
    waiter: call.id,
    attempts,
    fencingToken: outcome.token,
    seat: outcome.seat,
    ttl,
    validUntil: outcome.validUntil,
    family,
  })
  let attempts = 0
  let last: Last = { locked: false, answers: [] }
  try {
    // Known by id from the start: an instance may name it (`>id`) while its first attempt's replies are on the way.
    family.register(waiter, tally)
    if (!options.signal?.aborted) {
      attempts++
      const outcome = await attemptShare(family, call)
      if (outcome.ok) return won(outcome, attempts)
      place.join(outcome.counter)
      last = outcome
    }
    for (;;) {
      if (retries >= 0 && attempts > retries) throw outOfRetries(spec, attempts, last)
      if (options.signal?.aborted) throw aborted(options.signal, attempts, last)
      family.wait(spec.resource, waiter)
      const end = await waiter.wait(retryDelay(family, options), options.signal, deadline)
      if (end === 'aborted') throw aborted(options.signal, attempts, last)
      if (end === 'timeout') throw timedOut(spec, options, attempts, last)
      if (end === 'handed' && tally) {
        // A quorum handed a seat to this waiter's grant value: held without an attempt (else it attempts below).
        const handed = await takeShareGrant(family, call, tally, attempts + 1)
        if (handed) return handed
      }
      attempts++
      place.attempting()
      const outcome = await attemptShare(family, call)
      if (outcome.ok) return won(outcome, attempts)
      place.attempted()
      place.join(outcome.counter)
      last = outcome
    }
  } finally {
    place.end()
    family.stopWaiting(spec.resource, waiter)
  }
}

/** The delay before the next attempt, unless something wakes the waiter sooner: `retryDelay +/- retryJitter`. */
function retryDelay(family: FamilyContext, options: AcquireOptions): number {
  const delay = options.retryDelay ?? family.settings.retryDelay
  const jitter = options.retryJitter ?? family.settings.retryJitter
  return Math.max(0, delay + Math.round((Math.random() * 2 - 1) * jitter))
}

// How an acquire gives up, as the plain lock's does: the class says what the last attempt found, `reason` how it ended.

function outOfRetries(spec: ShareSpec, attempts: number, last: Last) {
  if (last.locked) return new ResourceLockedError([spec.name], attempts, last.answers)
  return new LockError('no quorum of instances granted the hold', {
    reason: 'quorum',
    attempts,
    answers: last.answers,
  })
}

function aborted(signal: AbortSignal | undefined, attempts: number, last: Last) {
  return new LockError('acquire aborted', { reason: 'aborted', attempts, answers: last.answers, cause: signal?.reason })
}

function timedOut(spec: ShareSpec, options: AcquireOptions, attempts: number, last: Last) {
  // An acquire that never tried (others of this process were before it) waited for holders: that counts as held.
  if (last.locked || attempts === 0) return new ResourceLockedError([spec.name], attempts, last.answers, 'timeout')
  return new LockError(`acquire timed out (${options.timeout} ms)`, {
    reason: 'timeout',
    attempts,
    answers: last.answers,
  })
}
