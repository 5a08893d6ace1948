import type { InstanceAnswer } from './answers.js'
import { now, toEpoch } from './clock.js'

/** What a release found. */
export interface ReleaseResult {
  /** True when at least one instance still held the lock and deleted it; false for a lock that had expired. */
  readonly held: boolean
  /** How many instances deleted this lock's keys (among those that answered in time). */
  readonly instances: number
  /** What each instance answered. */
  readonly answers: readonly InstanceAnswer[]
}

/** What a hold needs from what made it (a Redlock, a read-write lock, a semaphore). */
export interface HoldOwner<H extends Hold> {
  extend(hold: H, ttl?: number): Promise<H>
  release(hold: H): Promise<ReleaseResult>
}

/** How any hold starts. */
export interface HoldInit {
  readonly value: string
  readonly attempts: number
  readonly fencingToken: bigint
  readonly ttl: number
  /** Monotonic ms until which it is valid. */
  readonly validUntil: number
}

// The owner's side of a hold, set by the class's static block (the one place that reaches its private fields): off
// the public classes, and no allocation per hold. `Lock.ts` and `family/Share.ts` export them under their own names.

/** What made the hold. */
export let holdOwner!: <H extends Hold>(hold: H) => HoldOwner<H>
/** Records a successful extension: its ttl and the monotonic ms until which the hold is now valid. */
export let renewHold!: (hold: Hold, ttl: number, validUntil: number) => void
/** Records that the owner released it (or handed it over). */
export let markHoldReleased!: (hold: Hold) => void
/** Monotonic ms until which the hold is valid. */
export let holdValidUntil!: (hold: Hold) => number

/**
 * What a `Lock` and a shared hold (`ReadLock`, `WriteLock`, `Permit`) have in common: a value, a fencing token, a
 * validity judged by a monotonic clock, `extend`, `release` and `await using`. Releasing twice, or after it expired,
 * is harmless.
 */
export abstract class Hold implements AsyncDisposable {
  /** The locked resource names. */
  readonly resources: readonly string[]
  /** The random value stored for this hold on every instance; only it can extend or release it. */
  readonly value: string
  /** How many attempts the acquire took. */
  readonly attempts: number
  /** Strictly greater than every token issued before for the same resources (see README for the limits). */
  readonly fencingToken: bigint
  #ttl: number
  #validUntil: number
  #released = false
  // biome-ignore lint/suspicious/noExplicitAny: each subclass narrows its owner's type (see `extend`).
  readonly #owner: HoldOwner<any>

  // biome-ignore lint/suspicious/noExplicitAny: as #owner.
  constructor(owner: HoldOwner<any>, resources: readonly string[], init: HoldInit) {
    this.#owner = owner
    this.resources = resources
    this.value = init.value
    this.attempts = init.attempts
    this.fencingToken = init.fencingToken
    this.#ttl = init.ttl
    this.#validUntil = init.validUntil
  }

  static {
    holdOwner = (hold) => hold.#owner
    renewHold = (hold, ttl, validUntil) => {
      hold.#ttl = ttl
      hold.#validUntil = validUntil
    }
    markHoldReleased = (hold) => {
      hold.#released = true
    }
    holdValidUntil = (hold) => hold.#validUntil
  }

  /** Epoch ms until which it is valid (computed from a monotonic clock). */
  get expiration(): number {
    return toEpoch(this.#validUntil)
  }

  /** The ttl of the last acquire or extend, in ms. */
  get ttl(): number {
    return this.#ttl
  }

  /** Milliseconds of validity left (0 once expired or released). */
  get remaining(): number {
    return this.#released ? 0 : Math.max(0, this.#validUntil - now())
  }

  /** True when released by this process. */
  get released(): boolean {
    return this.#released
  }

  /** True while neither released nor expired. */
  get valid(): boolean {
    return this.remaining > 0
  }

  /** Extends it on a quorum; resolves with this hold, updated. Without `ttl`, its own. */
  extend(ttl?: number): Promise<this> {
    return this.#owner.extend(this, ttl)
  }

  /** Releases it on every instance; waiters are woken. */
  release(): Promise<ReleaseResult> {
    return this.#owner.release(this)
  }

  /** `await using hold = await redlock.acquire(...)` releases it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.release()
  }
}

/**
 * Puts `Hold`'s getters and methods on a subclass' own prototype too. `Lock`'s surface is a contract down to the
 * properties of `Lock.prototype` itself (`test/publicApi.test.ts` pins them, as they stood before `Hold` was made);
 * the functions are the same ones, so nothing is written twice, and a lookup stops one prototype earlier.
 */
export function ownHoldMembers(prototype: object): void {
  for (const key of Reflect.ownKeys(Hold.prototype)) {
    if (key === 'constructor') continue
    Object.defineProperty(prototype, key, Object.getOwnPropertyDescriptor(Hold.prototype, key) as PropertyDescriptor)
  }
}
