import type { ReleaseResult } from '../Lock.js'
import type { AcquireOptions, UsingOptions } from '../options.js'
import type { FamilyContext } from './FamilyContext.js'
import { Holds, type ShareRoutine } from './Holds.js'
import { ReadLock, type Share, WriteLock } from './Share.js'

/**
 * A read-write lock over the Redlock's instances: many readers at once, or one writer and nobody else. Made by
 * `redlock.readWrite(name)`; it holds nothing by itself and costs nothing to make. A waiting writer stops new readers
 * (readers that started waiting before it still go first), so a stream of readers cannot starve a writer.
 */
export class ReadWriteLock {
  /** The lock's name (its keys carry it as their hash tag). */
  readonly name: string
  /** Ttl of `read()` and `write()` when they are given none (ms). */
  readonly ttl: number
  readonly #readers: Holds<ReadLock>
  readonly #writer: Holds<WriteLock>

  /** Made by `redlock.readWrite(name, options)`; not meant to be built by hand. */
  constructor(family: FamilyContext, name: string, ttl: number) {
    this.name = name
    this.ttl = ttl
    this.#readers = new Holds(family, 'rw', name, 'r', 0, ttl, (owner, init) => new ReadLock(owner, init))
    this.#writer = new Holds(family, 'rw', name, 'w', 0, ttl, (owner, init) => new WriteLock(owner, init))
  }

  /**
   * Acquires a read hold: granted while no writer holds and none waits before it. Options as `redlock.acquire`'s.
   *
   * @throws ResourceLockedError / LockError (rejects) as `redlock.acquire` does.
   * @throws TypeError / RangeError (rejects, before anything is sent) for a bad ttl or options.
   */
  read(ttl?: number, options?: AcquireOptions): Promise<ReadLock>
  read(options: AcquireOptions): Promise<ReadLock>
  async read(first?: number | AcquireOptions, second?: AcquireOptions): Promise<ReadLock> {
    return this.#readers.acquireWith(first, second)
  }

  /**
   * Acquires the write hold: granted while nobody holds and nobody waits before it. Options as `redlock.acquire`'s.
   *
   * @throws ResourceLockedError / LockError (rejects) as `redlock.acquire` does.
   * @throws TypeError / RangeError (rejects, before anything is sent) for a bad ttl or options.
   */
  write(ttl?: number, options?: AcquireOptions): Promise<WriteLock>
  write(options: AcquireOptions): Promise<WriteLock>
  async write(first?: number | AcquireOptions, second?: AcquireOptions): Promise<WriteLock> {
    return this.#writer.acquireWith(first, second)
  }

  /** Runs `routine` under a read hold, extended while it runs and released after, as `redlock.using` does. */
  usingRead<T>(routine: ShareRoutine<T, ReadLock>): Promise<T>
  usingRead<T>(ttl: number | undefined, routine: ShareRoutine<T, ReadLock>): Promise<T>
  usingRead<T>(options: UsingOptions, routine: ShareRoutine<T, ReadLock>): Promise<T>
  usingRead<T>(ttl: number | undefined, options: UsingOptions, routine: ShareRoutine<T, ReadLock>): Promise<T>
  async usingRead<T>(...rest: unknown[]): Promise<T> {
    return this.#readers.usingWith(rest)
  }

  /** Runs `routine` under the write hold, extended while it runs and released after, as `redlock.using` does. */
  usingWrite<T>(routine: ShareRoutine<T, WriteLock>): Promise<T>
  usingWrite<T>(ttl: number | undefined, routine: ShareRoutine<T, WriteLock>): Promise<T>
  usingWrite<T>(options: UsingOptions, routine: ShareRoutine<T, WriteLock>): Promise<T>
  usingWrite<T>(ttl: number | undefined, options: UsingOptions, routine: ShareRoutine<T, WriteLock>): Promise<T>
  async usingWrite<T>(...rest: unknown[]): Promise<T> {
    return this.#writer.usingWith(rest)
  }

  /**
   * Extends a read or write hold of this lock (same as `hold.extend(ttl)`).
   *
   * @throws LockLostError (rejects) when it is no longer held on a quorum. TypeError for a hold of another lock.
   */
  extend<S extends ReadLock | WriteLock>(hold: S, ttl?: number): Promise<S> {
    return this.#side(hold).extend(hold, ttl) as Promise<S>
  }

  /** Releases a read or write hold of this lock (same as `hold.release()`). TypeError for a hold of another lock. */
  release(hold: ReadLock | WriteLock): Promise<ReleaseResult> {
    try {
      return this.#side(hold).release(hold)
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /** Releases a read hold of this lock; a write hold (or any other) is a TypeError. */
  releaseRead(hold: ReadLock): Promise<ReleaseResult> {
    return this.#readers.release(hold)
  }

  /** Releases the write hold of this lock; a read hold (or any other) is a TypeError. */
  releaseWrite(hold: WriteLock): Promise<ReleaseResult> {
    return this.#writer.release(hold)
  }

  #side(hold: Share): Holds<ReadLock> | Holds<WriteLock> {
    return hold instanceof WriteLock ? this.#writer : this.#readers
  }
}
