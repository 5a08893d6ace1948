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

/** What a Lock needs from the Redlock that made it. */
export interface LockOwner {
  extend(lock: Lock, ttl?: number): Promise<Lock>
  release(lock: Lock): Promise<ReleaseResult>
}

/** How a Lock starts. */
export interface LockInit {
  readonly resources: readonly string[]
  readonly value: string
  /** The id of the acquire's place in the queues in Redis (the value itself when left out). */
  readonly waiter?: string
  readonly attempts: number
  readonly fencingToken: bigint
  /** Highest token recorded on a quorum for this lock; tokens above fencingToken up to it may be handed over. */
  readonly tokenCeiling: bigint
  readonly ttl: number
  /** Monotonic ms until which the lock is valid. */
  readonly validUntil: number
}

// The owner's side of a lock: what only the Redlock that made it reads or changes. These are set by the class's
// static block, the one place that reaches its private fields, so they stay off the public class (neither TypeScript
// nor JavaScript users can call them; the package's index does not export them) and cost no allocation per lock.

/** The Redlock that made the lock. */
export let lockOwner!: (lock: Lock) => LockOwner
/** Records a successful extension: its ttl and the monotonic ms until which the lock is now valid. */
export let renewLock!: (lock: Lock, ttl: number, validUntil: number) => void
/** Records that the owner released it (or handed it over). */
export let markLockReleased!: (lock: Lock) => void
/** Monotonic ms until which the lock is valid (for the owner's timers and hand-over). */
export let lockValidUntil!: (lock: Lock) => number
/** The id its acquire had in the queues in Redis: its release takes it out of them. */
export let lockWaiter!: (lock: Lock) => string
/** Highest token recorded on a quorum for this lock: tokens above its own, up to this one, may be handed over. */
export let lockTokenCeiling!: (lock: Lock) => bigint
/** Records that a higher ceiling is now recorded on a quorum. */
export let raiseLockCeiling!: (lock: Lock, ceiling: bigint) => void

/** A held lock: the handle returned by `acquire`. Releasing it twice, or after it expired, is harmless. */
export class Lock implements AsyncDisposable {
  /** The locked resource names. */
  readonly resources: readonly string[]
  /** The random value stored in every key of this lock; only it can extend or release them. */
  readonly value: string
  /** How many attempts the acquire took. */
  readonly attempts: number
  /** Strictly greater than every token issued before for any of these resources (see README for the limits). */
  readonly fencingToken: bigint
  #ttl: number
  #validUntil: number
  #tokenCeiling: bigint
  #released = false
  readonly #owner: LockOwner
  readonly #waiter: string

  /** Made by `Redlock.acquire`; not meant to be built by hand. */
  constructor(owner: LockOwner, init: LockInit) {
    this.#owner = owner
    this.resources = init.resources
    this.value = init.value
    this.#waiter = init.waiter ?? init.value
    this.attempts = init.attempts
    this.fencingToken = init.fencingToken
    this.#ttl = init.ttl
    this.#validUntil = init.validUntil
    this.#tokenCeiling = init.tokenCeiling
  }

  static {
    lockOwner = (lock) => lock.#owner
    renewLock = (lock, ttl, validUntil) => {
      lock.#ttl = ttl
      lock.#validUntil = validUntil
    }
    markLockReleased = (lock) => {
      lock.#released = true
    }
    lockValidUntil = (lock) => lock.#validUntil
    lockTokenCeiling = (lock) => lock.#tokenCeiling
    lockWaiter = (lock) => lock.#waiter
    raiseLockCeiling = (lock, ceiling) => {
      if (ceiling > lock.#tokenCeiling) lock.#tokenCeiling = ceiling
    }
  }

  /** Epoch ms until which the lock is valid (computed from a monotonic clock). */
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

  /** Extends the lock on a quorum (same as `redlock.extend(lock, ttl)`); resolves with this lock, updated. */
  extend(ttl?: number): Promise<Lock> {
    return this.#owner.extend(this, ttl)
  }

  /** Releases the lock on every instance (same as `redlock.release(lock)`). */
  release(): Promise<ReleaseResult> {
    return this.#owner.release(this)
  }

  /** `await using lock = await redlock.acquire(...)` releases it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.release()
  }
}
