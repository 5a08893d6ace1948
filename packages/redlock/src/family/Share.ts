import { now, toEpoch } from '../clock.js'
import type { ReleaseResult } from '../Lock.js'
import type { ShareKind } from './keys.js'

/** What a shared hold is: a reader or writer of a read-write lock, or a permit of a semaphore. */
export type ShareMode = 'read' | 'write' | 'permit'

/** What a hold needs from the read-write lock or semaphore that made it. */
export interface ShareOwner {
  extend(share: Share, ttl?: number): Promise<Share>
  release(share: Share): Promise<ReleaseResult>
}

/** How a hold starts. */
export interface ShareInit {
  readonly kind: ShareKind
  readonly name: string
  readonly value: string
  readonly attempts: number
  readonly fencingToken: bigint
  /** The semaphore seat a quorum gave it; -1 for a read-write lock. */
  readonly seat: number
  readonly ttl: number
  /** Monotonic ms until which the hold is valid. */
  readonly validUntil: number
  /** The Redlock's shared-hold context it belongs to (see `FamilyContext.ts`): checked when it is given back. */
  readonly family: object
}

// The owner's side, set by the class's static block (as `Lock.ts` does): off the public class, no cost per hold.

/** Records a successful extension. */
export let renewShare!: (share: Share, ttl: number, validUntil: number) => void
/** Records that it was released. */
export let markShareReleased!: (share: Share) => void
/** The family context it belongs to. */
export let shareFamily!: (share: Share) => object
/** The semaphore seat it holds (-1 for a read-write lock): its extensions must find it on the same seat. */
export let shareSeat!: (share: Share) => number

/**
 * A held share of a read-write lock or a semaphore: the handle `read()`, `write()` and `acquire()` return. Like a
 * `Lock`, it has a fencing token, a validity judged by a monotonic clock, `extend`, `release` and `await using`.
 * Releasing it twice, or after it expired, is harmless.
 */
export abstract class Share implements AsyncDisposable {
  /** Reader, writer or permit. */
  abstract readonly mode: ShareMode
  /** The read-write lock's or semaphore's name. */
  readonly name: string
  /** `[name]`: what a `LockLostError` names. */
  readonly resources: readonly string[]
  /** The random value of this hold in Redis; only it can extend or release it. */
  readonly value: string
  /** How many attempts the acquire took. */
  readonly attempts: number
  /**
   * Distinct from every other hold's of this name, and greater than the token of every hold released (or expired)
   * before this one's acquire began; between holds that exclude each other (a writer and anybody), the one that got in
   * later has the greater token. Readers that hold together have tokens in no particular order (see the README).
   */
  readonly fencingToken: bigint
  /** Which kind of shared hold it belongs to: `'rw'` or `'sem'`. */
  readonly kind: ShareKind
  #ttl: number
  #validUntil: number
  #released = false
  readonly #owner: ShareOwner
  readonly #family: object
  readonly #seat: number

  /** Made by a read-write lock or a semaphore; not meant to be built by hand. */
  constructor(owner: ShareOwner, init: ShareInit) {
    this.#owner = owner
    this.kind = init.kind
    this.name = init.name
    this.resources = Object.freeze([init.name])
    this.value = init.value
    this.attempts = init.attempts
    this.fencingToken = init.fencingToken
    this.#ttl = init.ttl
    this.#validUntil = init.validUntil
    this.#family = init.family
    this.#seat = init.seat
  }

  static {
    renewShare = (share, ttl, validUntil) => {
      share.#ttl = ttl
      share.#validUntil = validUntil
    }
    markShareReleased = (share) => {
      share.#released = true
    }
    shareFamily = (share) => share.#family
    shareSeat = (share) => share.#seat
  }

  /** Epoch ms until which the hold is valid (computed from a monotonic clock). */
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

  /** Extends the hold on a quorum; resolves with this hold, updated. Without `ttl`, its own. */
  extend(ttl?: number): Promise<this> {
    return this.#owner.extend(this, ttl) as Promise<this>
  }

  /** Releases the hold on every instance; waiters are woken. */
  release(): Promise<ReleaseResult> {
    return this.#owner.release(this)
  }

  /** `await using hold = await rw.read(...)` releases it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.release()
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
