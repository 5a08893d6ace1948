import {
  Hold,
  type HoldInit,
  type HoldOwner,
  holdOwner,
  holdValidUntil,
  markHoldReleased,
  ownHoldMembers,
  renewHold,
} from './Hold.js'

export type { ReleaseResult } from './Hold.js'

/** What a Lock needs from the Redlock that made it. */
export type LockOwner = HoldOwner<Lock>

/** How a Lock starts. */
export interface LockInit extends HoldInit {
  readonly resources: readonly string[]
  /** The id of the acquire's place in the queues in Redis (the value itself when left out). */
  readonly waiter?: string
  /** Highest token recorded on a quorum for this lock; tokens above fencingToken up to it may be handed over. */
  readonly tokenCeiling: bigint
}

// The owner's side of a lock: what only the Redlock that made it reads or changes. These are set by the classes'
// static blocks (`Hold`'s for what every hold has), the one place that reaches their private fields, so they stay off
// the public class (neither TypeScript nor JavaScript users can call them; the package's index does not export them)
// and cost no allocation per lock.

/** The Redlock that made the lock. */
export const lockOwner: (lock: Lock) => LockOwner = holdOwner
/** Records a successful extension: its ttl and the monotonic ms until which the lock is now valid. */
export const renewLock: (lock: Lock, ttl: number, validUntil: number) => void = renewHold
/** Records that the owner released it (or handed it over). */
export const markLockReleased: (lock: Lock) => void = markHoldReleased
/** Monotonic ms until which the lock is valid (for the owner's timers and hand-over). */
export const lockValidUntil: (lock: Lock) => number = holdValidUntil
/** The id its acquire had in the queues in Redis: its release takes it out of them. */
export let lockWaiter!: (lock: Lock) => string
/** Highest token recorded on a quorum for this lock: tokens above its own, up to this one, may be handed over. */
export let lockTokenCeiling!: (lock: Lock) => bigint
/** Records that a higher ceiling is now recorded on a quorum. */
export let raiseLockCeiling!: (lock: Lock, ceiling: bigint) => void

/** A held lock: the handle returned by `acquire`. Releasing it twice, or after it expired, is harmless. */
export class Lock extends Hold {
  /** Strictly greater than every token issued before for any of these resources (see README for the limits). */
  declare readonly fencingToken: bigint
  #tokenCeiling: bigint
  readonly #waiter: string

  /** Made by `Redlock.acquire`; not meant to be built by hand. */
  constructor(owner: LockOwner, init: LockInit) {
    super(owner, init.resources, init)
    this.#waiter = init.waiter ?? init.value
    this.#tokenCeiling = init.tokenCeiling
  }

  static {
    ownHoldMembers(Lock.prototype)
    lockTokenCeiling = (lock) => lock.#tokenCeiling
    lockWaiter = (lock) => lock.#waiter
    raiseLockCeiling = (lock, ceiling) => {
      if (ceiling > lock.#tokenCeiling) lock.#tokenCeiling = ceiling
    }
  }
}
