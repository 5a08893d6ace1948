import type { AttemptCall } from './attempt.js'
import { driftFor } from './attempt.js'
import { now } from './clock.js'
import type { RedlockContext } from './context.js'
import { extend } from './extend.js'
import { type Hold, holdValidUntil } from './Hold.js'
import { Lock } from './Lock.js'
import { HAND_OVER_TTL, HANDOVER_TOKENS } from './options.js'

/**
 * A direct grant is taken only with at least this much validity left (ms); otherwise the waiter claims the key (a
 * semaphore's waiter attempts, see `family/shareGrant.ts`).
 */
export const MIN_LEFT = HAND_OVER_TTL / 4

/**
 * What a waiter registers with its queue entry (see `scripts/queue.ts`): its grant value, then its Redlock's inbox
 * after a space (a grant value has none), so a release announces the hand-over to that process alone. Every other
 * process that waits used to hear it on the lock's channel: 21 wake-ups for nothing per hand-over with 8 processes
 * on 3 instances.
 */
export function registration(grant: string | undefined, inbox: string): string | undefined {
  return grant === undefined ? undefined : `${grant} ${inbox}`
}

/**
 * What one more hand-over announcement means for the waiter: hold, claim now, wait for the rest (claiming soon if it
 * does not come), or nothing (`stale`: handed to a grant value the waiter no longer counts on).
 */
export type Heard = 'granted' | 'claim' | 'wait' | 'stale'

/**
 * The hand-overs announced to one waiter of this process (`>id token grant`, see `scripts/queue.ts`), by instance:
 * a waiter holds the lock without a claim once a quorum of instances handed the key to the grant value it registered
 * last, with the same fencing token. Safe because nothing touches a key holding that value but its expiry (the
 * hand-over ttl) and the waiter's own later requests: its next attempt registers a new grant value, and from then on
 * the old one no longer counts here (that attempt takes such keys over).
 */
export class GrantTally {
  /** The grant value the tokens below were handed with. */
  #for: string | undefined
  #tokens: (number | undefined)[] = []
  #agreed: number | undefined

  constructor(
    private readonly call: AttemptCall,
    private readonly instances: number,
    private readonly quorum: number,
  ) {}

  /**
   * Instance `i` handed the key to `grant` with `token`: `'granted'` once a quorum agreed, `'claim'` when the grant
   * value is not the waiter's current one or no quorum can agree any more (the waiter then claims, as before direct
   * grants), `'wait'` otherwise.
   */
  heard(i: number, token: number, grant: string): Heard {
    if (grant !== this.call.grant || !Number.isSafeInteger(token)) return 'claim'
    if (this.#for !== grant) {
      this.#for = grant
      this.#tokens = new Array(this.instances)
      this.#agreed = undefined
    }
    this.#tokens[i] = token
    let heard = 0
    let same = 0
    for (const t of this.#tokens) {
      if (t === undefined) continue
      heard++
      if (t === token) same++
    }
    if (same >= this.quorum) {
      this.#agreed = token
      return 'granted'
    }
    let best = same
    for (const t of this.#tokens) {
      if (t === undefined) continue
      let n = 0
      for (const u of this.#tokens) if (u === t) n++
      if (n > best) best = n
    }
    return best + (this.instances - heard) < this.quorum ? 'claim' : 'wait'
  }

  /** The token a quorum agreed on for the waiter's current grant value, if any. */
  agreed(): number | undefined {
    return this.#for === this.call.grant ? this.#agreed : undefined
  }
}

/**
 * The lock a quorum handed over to this waiter, if its validity leaves enough time: valid until the hand-over ttl
 * after the start of the attempt that registered the grant value (no instance handed the key to that value before,
 * and each set it with that ttl), less the drift allowance; extended in the background to the lock's own ttl once
 * half of that validity is gone (`extendLater`). Its token was recorded on that quorum by the hand-over (a block of
 * `HANDOVER_TOKENS`, the top one its ceiling).
 */
export function takeGrant(
  ctx: RedlockContext,
  call: AttemptCall,
  tally: GrantTally,
  attempts: number,
): Lock | undefined {
  const token = tally.agreed()
  const grant = call.grant
  if (token === undefined || grant === undefined) return undefined
  const validUntil = call.grantSince + HAND_OVER_TTL - driftFor(HAND_OVER_TTL, ctx.settings.driftFactor)
  if (validUntil - now() < MIN_LEFT) return undefined
  const ceiling = BigInt(token)
  const lock = new Lock(ctx.owner, {
    resources: call.resources,
    value: grant,
    waiter: call.id,
    attempts,
    fencingToken: ceiling - HANDOVER_TOKENS + 1n,
    tokenCeiling: ceiling,
    ttl: call.ttl,
    validUntil,
  })
  extendLater(lock, call.ttl, (ttl) => extend(ctx, lock, ttl))
  return lock
}

/**
 * Extends a granted lock (or a semaphore's handed permit: any hold, with its own `extend`) to its own ttl once half
 * of its short validity is gone, unless it was released by then. Not at once: sent right after the grant, the extension's three scripts were written on the hand-over's critical
 * path (0.36 ms of a 1.8 ms hand-off at p50 in L4a, measured with timestamps) and cost every instance a script per
 * hand-over, while a lock held a few ms never needs it. Half the validity (at least `MIN_LEFT / 2`, some 125 ms)
 * leaves the extension ample time to land; until then the keys carry the hand-over ttl and `lock.remaining` says so,
 * and a failed extension leaves the lock its short validity, as before.
 */
export function extendLater(lock: Hold, ttl: number, extend: (ttl: number) => Promise<unknown>): void {
  const granted = holdValidUntil(lock)
  const timer = setTimeout(
    () => {
      // Released, or extended by its holder meanwhile (whose ttl then stands): nothing to do.
      if (!lock.released && holdValidUntil(lock) === granted) extend(ttl).catch(() => {})
    },
    Math.max(0, lock.remaining / 2),
  )
  timer.unref()
}
