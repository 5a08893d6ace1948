import { Hold, type HoldInit, type HoldOwner, markHoldReleased } from '../Hold.js'
import type { ShareKind } from './keys.js'

/** What a shared hold is: a reader or writer of a read-write lock, or a permit of a semaphore. */
export type ShareMode = 'read' | 'write' | 'permit'

/** What a hold needs from the read-write lock or semaphore that made it. */
export type ShareOwner = HoldOwner<Share>

/** How a hold starts. */
export interface ShareInit extends HoldInit {
  readonly kind: ShareKind
  readonly name: string
  /** The semaphore seat a quorum gave it; -1 for a read-write lock. */
  readonly seat: number
  /** The Redlock's shared-hold context it belongs to (see `FamilyContext.ts`): checked when it is given back. */
  readonly family: object
  /** Its acquire's waiter id: its release takes it out of the queues in Redis. */
  readonly waiter: string
  /** True for a permit handed over without an attempt (`shareGrant.ts`): valid for the hand-over ttl until extended. */
  readonly handed?: boolean
}

// The owner's side, set by the classes' static blocks (as `Lock.ts` does): off the public class, no cost per hold.

/** Records that it was released. */
export const markShareReleased: (share: Share) => void = markHoldReleased
/** The family context it belongs to. */
export let shareFamily!: (share: Share) => object
/** The semaphore seat it holds (-1 for a read-write lock): its extensions must find it on the same seat. */
export let shareSeat!: (share: Share) => number
/** Its acquire's waiter id. */
export let shareWaiter!: (share: Share) => string

/**
 * A held share of a read-write lock or a semaphore: the handle `read()`, `write()` and `acquire()` return. Like a
 * `Lock`, it has a fencing token, a validity judged by a monotonic clock, `extend`, `release` and `await using`.
 * Releasing it twice, or after it expired, is harmless.
 */
export abstract class Share extends Hold {
  /** Reader, writer or permit. */
  abstract readonly mode: ShareMode
  /** The read-write lock's or semaphore's name. */
  readonly name: string
  /** `[name]`: what a `LockLostError` names. */
  declare readonly resources: readonly string[]
  /**
   * Distinct from every other hold's of this name, and greater than the token of every hold released (or expired)
   * before this one's acquire began; between holds that exclude each other (a writer and anybody), the one that got in
   * later has the greater token. Readers that hold together have tokens in no particular order (see the README).
   */
  declare readonly fencingToken: bigint
  /** Which kind of shared hold it belongs to: `'rw'` or `'sem'`. */
  readonly kind: ShareKind
  readonly #family: object
  readonly #seat: number
  readonly #waiter: string

  /** Made by a read-write lock or a semaphore; not meant to be built by hand. */
  constructor(owner: ShareOwner, init: ShareInit) {
    super(owner, Object.freeze([init.name]), init)
    this.kind = init.kind
    this.name = init.name
    this.#family = init.family
    this.#seat = init.seat
    this.#waiter = init.waiter
  }

  static {
    shareFamily = (share) => share.#family
    shareSeat = (share) => share.#seat
    shareWaiter = (share) => share.#waiter
  }
}

/** A read hold of a read-write lock: other readers may hold at the same time, no writer. */
export class ReadLock extends Share {
  /** Always `'read'`. */
  readonly mode = 'read' as const
}

/** A write hold of a read-write lock: nobody else holds it, neither reader nor writer. */
export class WriteLock extends Share {
  /** Always `'write'`. */
  readonly mode = 'write' as const
}

/** A permit of a semaphore: at most `permits` are held at once. */
export class Permit extends Share {
  /** Always `'permit'`. */
  readonly mode = 'permit' as const
}
