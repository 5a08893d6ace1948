import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { acquire } from './acquire.js'
import { now } from './clock.js'
import type { RedlockContext } from './context.js'
import { createInstance } from './createInstance.js'
import { LockLostError } from './errors.js'
import { extend } from './extend.js'
import { closeFamily, familyOf } from './family/FamilyContext.js'
import type { ShareRoutine } from './family/Holds.js'
import { type Inspection, inspect } from './family/inspect.js'
import {
  checkName,
  checkReadWriteOptions,
  checkSemaphoreOptions,
  type ReadWriteOptions,
  type SemaphoreOptions,
} from './family/options.js'
import { ReadWriteLock } from './family/ReadWriteLock.js'
import { Semaphore } from './family/Semaphore.js'
import type { ReadLock, WriteLock } from './family/Share.js'
import { Contention } from './fastPath.js'
import { holdWhile, type UsingRoutine } from './holdWhile.js'
import { LockHooks } from './hooks/LockHooks.js'
import type { RedlockHooks } from './hooks/types.js'
import { inboxChannel, tagOfSlot } from './keys.js'
import { Lock, type LockOwner, lockOwner, type ReleaseResult } from './Lock.js'
import type { RedisClient } from './options.js'
import {
  type AcquireOptions,
  checkAcquireOptions,
  checkClients,
  checkResources,
  checkTtl,
  checkUsingOptions,
  type RedlockOptions,
  resolveResources,
  resolveSettings,
  type Settings,
  type UsingOptions,
  WAITER_LEASE,
} from './options.js'
import { ReleaseNotifier } from './ReleaseNotifier.js'
import { release } from './release.js'
import { WaitQueue } from './WaitQueue.js'

/** The events a Redlock emits, with their arguments. */
export interface RedlockEvents {
  /** An instance failed or timed out; the operation may still have succeeded on a quorum. */
  clientError: [error: Error, client: RedisClient]
  /** A lock was acquired. */
  acquired: [lock: Lock]
  /** A lock was extended. */
  extended: [lock: Lock]
  /** A lock was released. */
  released: [lock: Lock, result: ReleaseResult]
  /** A lock held by `using()` was lost; the routine's signal aborts with the same error. */
  lost: [lock: Lock, error: LockLostError]
}

function isOptionsObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null
}

/**
 * Redlock over N independent Redis masters (or Clusters): quorum locks with fencing tokens, waiters served in order
 * and woken on release, automatic extension in `using()`.
 */
export class Redlock extends EventEmitter<RedlockEvents> implements LockOwner, AsyncDisposable {
  /** The clients, one per independent instance. */
  readonly clients: readonly RedisClient[]
  /** The resolved settings. */
  readonly settings: Settings
  /** Declared resources and their defaults (read-only). */
  readonly resources: ReadonlyMap<string, Readonly<{ ttl: number }>>
  /** Instances that must agree: floor(N/2)+1. */
  readonly quorum: number
  /** What the acquire, extend and release paths need (see `context.ts`). */
  readonly #context: RedlockContext
  readonly #queue: WaitQueue
  readonly #notifier: ReleaseNotifier
  /** When a waiter of another process was last announced, per resource (monotonic ms). */
  readonly #othersSeen = new Map<string, number>()
  readonly #hooks = new LockHooks()

  /**
   * Sends nothing yet; the clients stay the caller's (`quit()` does not close them).
   *
   * @param clients - One ioredis `Redis` or `Cluster` per independent instance; the quorum is floor(N/2)+1.
   * @param options - Settings and declared resources; see {@link RedlockOptions} for the defaults.
   * @throws TypeError when `clients` is not an array of ioredis clients or an option has the wrong type.
   * @throws RangeError when `clients` is empty or holds a client twice, or an option is out of range.
   * @example
   * ```ts
   * import { Redis } from 'ioredis'
   * import { Redlock } from '@org/redlock'
   *
   * const clients = [new Redis(6379), new Redis(6380), new Redis(6381)]
   * const redlock = new Redlock(clients, { resources: { 'invoice:42': { ttl: 10_000 } } })
   * ```
   */
  constructor(clients: readonly RedisClient[], options: RedlockOptions = {}) {
    super()
    this.clients = checkClients(clients)
    this.settings = resolveSettings(options)
    this.resources = resolveResources(options.resources, this.settings.ttl)
    this.quorum = Math.floor(this.clients.length / 2) + 1
    // The fencing counters' slot tags, built now rather than inside the first acquire's timed attempt.
    tagOfSlot(0)
    const reportError = (index: number, error: Error) => this.#reportError(index, error)
    const inbox = inboxChannel(this.settings.keyPrefix, randomUUID())
    this.#notifier = new ReleaseNotifier(
      this.clients,
      this.settings.keyPrefix,
      this.quorum,
      (resource) => this.#queue.wakeFirst(resource),
      reportError,
      {
        handed: (_resource, id, instance, token, grant) => this.#queue.handedTo(id, instance, token, grant),
        waiting: (resource, id) => {
          if (!this.#queue.has(id)) this.#othersSeen.set(resource, now())
        },
        missed: (resource) => this.#queue.wakeEvery(resource),
      },
      inbox,
    )
    this.#queue = new WaitQueue({
      busy: (resource) => this.#notifier.watch(resource),
      idle: (resource) => this.#notifier.unwatch(resource),
    })
    this.#context = {
      owner: this,
      instances: this.clients.map((c) => createInstance(c, this.settings.keyPrefix)),
      quorum: this.quorum,
      settings: this.settings,
      queue: this.#queue,
      inbox,
      contention: new Contention(),
      reportError,
      othersWait: (resources) => {
        for (const r of resources) {
          const seen = this.#othersSeen.get(r)
          if (seen !== undefined && now() - seen < WAITER_LEASE) return true
        }
        return false
      },
      sawOthers: (resources) => {
        const at = now()
        for (const r of resources) this.#othersSeen.set(r, at)
      },
      acquired: (lock) => this.emit('acquired', lock),
      extended: (lock) => this.emit('extended', lock),
      released: (lock, result) => this.emit('released', lock, result),
    }
  }

  /**
   * Acquires a lock on one or more resources (all or nothing). `ttl` defaults to the declared ttl of the resources
   * (the largest when several) or the Redlock's `ttl`. With `timeout`, retries go on until it passes (the Redlock's
   * `retryCount` does not end them sooner; a `retryCount` of the same call does).
   *
   * @throws ResourceLockedError (rejects) when it gives up while the resources are held by another holder: `reason`
   * `'locked'` when the retries ran out, `'timeout'` when the timeout passed.
   * @throws LockError (rejects) with `reason` `'quorum'` when the retries ran out without a quorum, `'timeout'` when
   * the timeout passed without a quorum, `'aborted'` when `signal` aborted.
   * @throws TypeError / RangeError (rejects, before anything is sent) for bad resources, ttl or options.
   * @example
   * ```ts
   * const lock = await redlock.acquire(['a', 'b'], 5_000, { timeout: 2_000 })
   * try {
   *   // ... work guarded by lock.fencingToken ...
   * } finally {
   *   await lock.release()
   * }
   * ```
   */
  acquire(resources: string | readonly string[], ttl?: number, options?: AcquireOptions): Promise<Lock>
  acquire(resources: string | readonly string[], options: AcquireOptions): Promise<Lock>
  acquire(
    resources: string | readonly string[],
    ttlOrOptions?: number | AcquireOptions,
    maybeOptions?: AcquireOptions,
  ): Promise<Lock> {
    // Not async: the checks reject the same way, and the hot path saves a promise hop.
    let list: readonly string[]
    let lockTtl: number
    let options: AcquireOptions
    try {
      list = checkResources(resources)
      const named = isOptionsObject(ttlOrOptions)
      lockTtl = this.#ttl(list, named ? undefined : ttlOrOptions)
      options = checkAcquireOptions(named ? ttlOrOptions : maybeOptions)
    } catch (err) {
      return Promise.reject(err)
    }
    return this.#acquire(list, lockTtl, options)
  }

  /**
   * Extends a lock of this Redlock on a quorum; resolves with the same lock, updated. Without `ttl`, the lock's own.
   *
   * @throws LockLostError (rejects) when the lock expired, was released or is no longer held on a quorum.
   * @throws TypeError / RangeError (rejects) for a lock of another Redlock or a bad ttl.
   * @example
   * ```ts
   * await redlock.extend(lock, 5_000) // same as lock.extend(5_000)
   * ```
   */
  async extend(lock: Lock, ttl?: number): Promise<Lock> {
    this.#checkLock(lock)
    const newTtl = ttl === undefined ? lock.ttl : checkTtl(ttl, 'ttl')
    if (!lock.valid) throw new LockLostError(lock, lock.released ? 'it was released' : 'it expired')
    const hook = this.#hooks.extend
    if (hook === undefined) return extend(this.#context, lock, newTtl)
    return hook({ lock, ttl: newTtl }, () => extend(this.#context, lock, newTtl)) as Promise<Lock>
  }

  /**
   * Releases a lock of this Redlock on every instance, deleting only keys that still hold its value. Never rejects
   * for an expired or already released lock: the result says whether anything was held.
   *
   * @throws TypeError (rejects) for something that is not a lock of this Redlock.
   * @example
   * ```ts
   * const { held, instances } = await redlock.release(lock) // same as lock.release()
   * ```
   */
  release(lock: Lock): Promise<ReleaseResult> {
    // Not async: nothing is allocated for the release's continuation before its requests are written.
    try {
      this.#checkLock(lock)
    } catch (err) {
      return Promise.reject(err)
    }
    const hook = this.#hooks.release
    if (hook === undefined) return release(this.#context, lock)
    return hook({ lock }, () => release(this.#context, lock)) as Promise<ReleaseResult>
  }

  /**
   * Registers hooks around every acquire, extend and release of this Redlock (`(ctx, next) => ...`, where `next()`
   * goes on and resolves to the lock or the release's result): for tracing, metrics, logging, refusing. Hooks run in
   * registration order, the first outermost; registering none costs the lock paths nothing. Returns the function that
   * removes them. `lockTelemetry()` makes OpenTelemetry spans and metrics with them.
   *
   * @throws TypeError when `hooks` is not `{ acquire?, extend?, release? }` of functions.
   * @example
   * ```ts
   * const stop = redlock.use({
   *   acquire: async (ctx, next) => {
   *     const lock = await next()
   *     console.log(`${ctx.resources.join()} after ${performance.now() - ctx.startedAt} ms, token ${lock.fencingToken}`)
   *     return lock
   *   },
   * })
   * stop() // removes them
   * ```
   */
  use(hooks: RedlockHooks): () => void {
    return this.#hooks.add(hooks)
  }

  /**
   * Runs `routine` while holding the lock: extends it before it expires, aborts the routine's signal with a
   * `LockLostError` if it is lost, releases it when the routine settles, and returns the routine's result. When
   * both the routine and the release fail, the routine's error is thrown.
   *
   * @throws The routine's own error (rejects) when it throws.
   * @throws LockLostError (rejects) when the lock was lost while the routine ran and the routine still resolved:
   * `err.result` holds what it returned.
   * @throws ResourceLockedError / LockError (rejects) when the acquire fails, as `acquire` does.
   * @throws TypeError / RangeError (rejects) for a missing routine or bad resources, ttl or options.
   * @example
   * ```ts
   * const total = await redlock.using('invoice:42', async (signal, lock) => {
   *   return db.update(42, { fencingToken: lock.fencingToken, signal })
   * })
   * ```
   */
  using<T>(resources: string | readonly string[], routine: UsingRoutine<T>): Promise<T>
  using<T>(resources: string | readonly string[], ttl: number | undefined, routine: UsingRoutine<T>): Promise<T>
  using<T>(resources: string | readonly string[], options: UsingOptions, routine: UsingRoutine<T>): Promise<T>
  using<T>(
    resources: string | readonly string[],
    ttl: number | undefined,
    options: UsingOptions,
    routine: UsingRoutine<T>,
  ): Promise<T>
  async using<T>(resources: string | readonly string[], ...rest: unknown[]): Promise<T> {
    const routine = rest.pop()
    if (typeof routine !== 'function') throw new TypeError('routine must be a function (signal, lock) => result')
    const list = checkResources(resources)
    const [ttl, options] = isOptionsObject(rest[0]) ? [undefined, rest[0]] : [rest[0], rest[1]]
    const lockTtl = this.#ttl(list, ttl)
    return this.#using(
      list,
      lockTtl,
      checkUsingOptions(options as UsingOptions | undefined),
      routine as UsingRoutine<T>,
    )
  }

  /**
   * Closes the connections this Redlock opened (pub/sub); the clients given to it stay open.
   *
   * @throws Does not reject: the pub/sub connections are disconnected at once, so a dead server cannot make it fail.
   * @example
   * ```ts
   * await redlock.quit()
   * await Promise.all(clients.map((c) => c.quit())) // yours to close
   * ```
   */
  async quit(): Promise<void> {
    closeFamily(this)
    this.#notifier.close()
    this.#queue.wakeAll()
  }

  /**
   * A read-write lock on `name` (see README, Read-write locks): `read()` many at once, `write()` alone. Holds nothing
   * by itself. Its ttl defaults to the name's declared ttl, else the Redlock's.
   *
   * @throws TypeError / RangeError for a bad name or ttl.
   */
  readWrite(name: string, options?: ReadWriteOptions): ReadWriteLock {
    const checked = checkName(name, 'name')
    return new ReadWriteLock(
      familyOf(this),
      checked,
      checkReadWriteOptions(options).ttl ?? this.#ttl([checked], undefined),
    )
  }

  /** Runs `routine` under a read hold of `name` (same as `redlock.readWrite(name).usingRead(...)`). */
  usingRead<T>(name: string, routine: ShareRoutine<T, ReadLock>): Promise<T>
  usingRead<T>(name: string, ttl: number | undefined, routine: ShareRoutine<T, ReadLock>): Promise<T>
  usingRead<T>(name: string, options: UsingOptions, routine: ShareRoutine<T, ReadLock>): Promise<T>
  usingRead<T>(
    name: string,
    ttl: number | undefined,
    options: UsingOptions,
    routine: ShareRoutine<T, ReadLock>,
  ): Promise<T>
  usingRead<T>(name: string, ...rest: unknown[]): Promise<T> {
    try {
      return this.readWrite(name).usingRead(...(rest as [ShareRoutine<T, ReadLock>]))
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /** Runs `routine` under the write hold of `name` (same as `redlock.readWrite(name).usingWrite(...)`). */
  usingWrite<T>(name: string, routine: ShareRoutine<T, WriteLock>): Promise<T>
  usingWrite<T>(name: string, ttl: number | undefined, routine: ShareRoutine<T, WriteLock>): Promise<T>
  usingWrite<T>(name: string, options: UsingOptions, routine: ShareRoutine<T, WriteLock>): Promise<T>
  usingWrite<T>(
    name: string,
    ttl: number | undefined,
    options: UsingOptions,
    routine: ShareRoutine<T, WriteLock>,
  ): Promise<T>
  usingWrite<T>(name: string, ...rest: unknown[]): Promise<T> {
    try {
      return this.readWrite(name).usingWrite(...(rest as [ShareRoutine<T, WriteLock>]))
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /**
   * A counting semaphore on `name` (see README, Semaphores): at most `permits` holders at once. Holds nothing by
   * itself. Its ttl defaults to the name's declared ttl, else the Redlock's.
   *
   * @throws TypeError / RangeError for a bad name, permits (an integer >= 1) or ttl.
   */
  semaphore(name: string, options: SemaphoreOptions): Semaphore {
    const checked = checkName(name, 'name')
    const { permits, ttl } = checkSemaphoreOptions(options)
    return new Semaphore(familyOf(this), checked, permits, ttl ?? this.#ttl([checked], undefined))
  }

  /**
   * Reads who holds `name` (plain lock, read-write lock, semaphore) on a quorum, until when, how many wait, the last
   * token, and how many instances agreed, without taking anything.
   *
   * @throws TypeError / RangeError (rejects) for a bad name.
   */
  async inspect(name: string): Promise<Inspection> {
    return inspect(familyOf(this), checkName(name, 'name'))
  }

  /** `await using redlock = new Redlock(...)` closes it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.quit()
  }

  #ttl(resources: readonly string[], ttl: unknown): number {
    if (ttl !== undefined) return checkTtl(ttl, 'ttl')
    let longest = 0
    for (const r of resources) longest = Math.max(longest, this.resources.get(r)?.ttl ?? this.settings.ttl)
    return longest
  }

  #checkLock(lock: unknown): asserts lock is Lock {
    if (!(lock instanceof Lock)) throw new TypeError('lock must be a Lock returned by acquire()')
    if (lockOwner(lock) !== this) throw new TypeError('lock was acquired by another Redlock')
  }

  #reportError(index: number, error: Error): void {
    if (this.listenerCount('clientError') > 0) this.emit('clientError', error, this.clients[index]!)
  }

  #acquire(resources: readonly string[], ttl: number, options: AcquireOptions): Promise<Lock> {
    const hook = this.#hooks.acquire
    if (hook === undefined) return acquire(this.#context, resources, ttl, options)
    const ctx = { resources, ttl, options, waiting: this.#queue.waiting(resources), startedAt: now() }
    return hook(ctx, () => acquire(this.#context, resources, ttl, options)) as Promise<Lock>
  }

  async #using<T>(resources: readonly string[], ttl: number, options: UsingOptions, routine: UsingRoutine<T>) {
    const lock = await this.#acquire(resources, ttl, options)
    const limits = {
      ttl,
      threshold: options.automaticExtensionThreshold ?? this.settings.automaticExtensionThreshold,
      maxExtensions: options.maxExtensions ?? Number.POSITIVE_INFINITY,
      maxHoldMs: options.maxHoldMs ?? Number.POSITIVE_INFINITY,
    }
    const lost = (held: Lock, error: LockLostError) => this.emit('lost', held, error)
    return holdWhile(lock, { limits, signal: options.signal, lost }, routine)
  }
}
