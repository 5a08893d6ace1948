import type { ReleaseResult } from '../Lock.js'
import type { AcquireOptions, UsingOptions } from '../options.js'
import type { FamilyContext } from './FamilyContext.js'
import { Holds, type ShareRoutine } from './Holds.js'
import { Permit } from './Share.js'

/**
 * A counting semaphore over the Redlock's instances: at most `permits` holders at once, served in arrival order. Made
 * by `redlock.semaphore(name, { permits })`; it holds nothing by itself and costs nothing to make.
 */
export class Semaphore {
  /** The semaphore's name (its keys carry it as their hash tag). */
  readonly name: string
  /** How many permits may be held at once. */
  readonly permits: number
  /** Ttl of a permit when `acquire()` is given none (ms). */
  readonly ttl: number
  readonly #holds: Holds<Permit>

  /** Made by `redlock.semaphore(name, options)`; not meant to be built by hand. */
  constructor(family: FamilyContext, name: string, permits: number, ttl: number) {
    this.name = name
    this.permits = permits
    this.ttl = ttl
    this.#holds = new Holds(family, 'sem', name, 'p', permits, ttl, (owner, init) => new Permit(owner, init))
  }

  /**
   * Acquires a permit: granted while fewer than `permits` hold and the waiters before it leave room. Options as
   * `redlock.acquire`'s.
   *
   * @throws ResourceLockedError / LockError (rejects) as `redlock.acquire` does.
   * @throws TypeError / RangeError (rejects, before anything is sent) for a bad ttl or options.
   */
  acquire(ttl?: number, options?: AcquireOptions): Promise<Permit>
  acquire(options: AcquireOptions): Promise<Permit>
  async acquire(first?: number | AcquireOptions, second?: AcquireOptions): Promise<Permit> {
    return this.#holds.acquireWith(first, second)
  }

  /** Runs `routine` holding a permit, extended while it runs and released after, as `redlock.using` does. */
  using<T>(routine: ShareRoutine<T, Permit>): Promise<T>
  using<T>(ttl: number | undefined, routine: ShareRoutine<T, Permit>): Promise<T>
  using<T>(options: UsingOptions, routine: ShareRoutine<T, Permit>): Promise<T>
  using<T>(ttl: number | undefined, options: UsingOptions, routine: ShareRoutine<T, Permit>): Promise<T>
  async using<T>(...rest: unknown[]): Promise<T> {
    return this.#holds.usingWith(rest)
  }

  /**
   * Extends a permit of this semaphore (same as `permit.extend(ttl)`).
   *
   * @throws LockLostError (rejects) when it is no longer held on a quorum. TypeError for a hold of anything else.
   */
  extend(permit: Permit, ttl?: number): Promise<Permit> {
    return this.#holds.extend(permit, ttl)
  }

  /** Releases a permit of this semaphore (same as `permit.release()`). TypeError for a hold of anything else. */
  release(permit: Permit): Promise<ReleaseResult> {
    return this.#holds.release(permit)
  }
}
