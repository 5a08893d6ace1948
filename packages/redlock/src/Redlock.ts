import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import {
  type AttemptContext,
  type AttemptOutcome,
  attemptAcquire,
  describe,
  driftFor,
  reportTimeouts,
} from './attempt.js'
import { now } from './clock.js'
import { createInstance } from './createInstance.js'
import { type InstanceAnswer, LockError, LockLostError, ResourceLockedError } from './errors.js'
import { gather, quorumAnswered, quorumOfTruthy, tally } from './gather.js'
import { type HandOverContext, handOver, successorOf } from './handOver.js'
import { holdWhile, type UsingRoutine } from './holdWhile.js'
import { type Instance, parseCount, parseDone } from './Instance.js'
import { tagOfSlot } from './keys.js'
import { Lock, type LockOwner, lockOwner, markLockReleased, type ReleaseResult, renewLock } from './Lock.js'
import {
  type AcquireOptions,
  checkAcquireOptions,
  checkResources,
  checkTtl,
  checkUsingOptions,
  HANDOVER_TOKENS,
  type RedlockOptions,
  requestTimeoutFor,
  resolveResources,
  resolveSettings,
  retriesOf,
  type Settings,
  type UsingOptions,
} from './options.js'
import { isRedisClient, type RedisClient } from './RedisClient.js'
import { ReleaseNotifier } from './ReleaseNotifier.js'
import { releaseResult } from './releaseResult.js'
import { Waiter } from './Waiter.js'
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

function checkClients(clients: unknown): readonly RedisClient[] {
  if (!Array.isArray(clients)) throw new TypeError('clients must be an array of ioredis clients')
  if (clients.length === 0) throw new RangeError('clients must hold at least one ioredis client')
  clients.forEach((c, i) => {
    if (!isRedisClient(c)) throw new TypeError(`clients[${i}] is not an ioredis Redis or Cluster client`)
    if (clients.indexOf(c) !== i)
      throw new RangeError(`clients[${i}] is the same client as clients[${clients.indexOf(c)}]`)
  })
  return Object.freeze([...clients])
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
  readonly #instances: readonly Instance[]
  readonly #context: AttemptContext
  readonly #queue: WaitQueue
  readonly #notifier: ReleaseNotifier
  readonly #handOverContext: HandOverContext

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
    this.#instances = this.clients.map((c) => createInstance(c, this.settings.keyPrefix))
    const reportError = (index: number, error: Error) => this.#reportError(index, error)
    this.#context = {
      instances: this.#instances,
      quorum: this.quorum,
      driftFactor: this.settings.driftFactor,
      reportError,
    }
    this.#notifier = new ReleaseNotifier(
      this.clients,
      this.settings.keyPrefix,
      this.quorum,
      (resource) => this.#queue.wakeFirst(resource),
      reportError,
    )
    this.#queue = new WaitQueue({
      busy: (resource) => this.#notifier.watch(resource),
      idle: (resource) => this.#notifier.unwatch(resource),
    })
    this.#handOverContext = {
      owner: this,
      instances: this.#instances,
      quorum: this.quorum,
      settings: this.settings,
      attempt: this.#context,
      queue: this.#queue,
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
    return this.#begin(list, lockTtl, options)
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
    const start = now()
    const timeout = requestTimeoutFor(this.settings, newTtl)
    const answers = await gather(
      this.#instances.length,
      (i, full) => this.#instances[i]!.extend(lock.resources, lock.value, newTtl, full),
      parseDone,
      timeout,
      quorumOfTruthy,
      this.quorum,
      this.#context.reportError,
    )
    reportTimeouts(this.#context, answers, timeout)
    const described = describe(answers, (extended) => !extended)
    if (tally(answers, Boolean).ok < this.quorum) {
      throw new LockLostError(lock, 'no quorum of instances still held it', described)
    }
    const validUntil = start + newTtl - driftFor(newTtl, this.settings.driftFactor)
    if (validUntil <= now()) throw new LockLostError(lock, 'no validity was left after the extension', described)
    renewLock(lock, newTtl, validUntil)
    this.emit('extended', lock)
    return lock
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
    const successor = lock.released ? undefined : successorOf(this.#handOverContext, lock)
    if (successor) {
      return handOver(this.#handOverContext, lock, successor).then((handed) => {
        this.emit('released', lock, handed)
        return handed
      })
    }
    markLockReleased(lock)
    const timeout = requestTimeoutFor(this.settings, lock.ttl)
    const sent = gather(
      this.#instances.length,
      (i, full) => this.#instances[i]!.release(lock.resources, lock.value, full),
      parseCount,
      timeout,
      quorumAnswered,
      this.quorum,
      this.#context.reportError,
      (answers) => {
        reportTimeouts(this.#context, answers, timeout)
        let instances = 0
        for (const a of answers) if (a.status === 'ok' && a.value > 0) instances++
        const result = releaseResult(instances, answers)
        this.emit('released', lock, result)
        return result
      },
    )
    // The release is written; a waiter of this process woken now writes its acquire behind it on each connection.
    this.#queue.release(lock)
    return sent
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
    this.#notifier.close()
    this.#queue.wakeAll()
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

  #retryDelay(options: AcquireOptions): number {
    const delay = options.retryDelay ?? this.settings.retryDelay
    const jitter = options.retryJitter ?? this.settings.retryJitter
    return Math.max(0, delay + Math.round((Math.random() * 2 - 1) * jitter))
  }

  /** Starts an acquire: at once when nothing here holds or waits for the resources, else in line. */
  #begin(resources: readonly string[], ttl: number, options: AcquireOptions): Promise<Lock> {
    if (options.signal?.aborted || this.#queue.busy(resources)) return this.#acquire(resources, ttl, options)
    return this.#firstAttempt(resources, ttl, options)
  }

  /**
   * The first attempt of an acquire that nobody here waits for: no async frame and no waiter, so the requests are
   * written as soon as possible. When it fails, the acquire goes on in `#acquire`, which retries and waits.
   */
  #firstAttempt(resources: readonly string[], ttl: number, options: AcquireOptions): Promise<Lock> {
    const startedAt = options.timeout === undefined ? 0 : now()
    const value = randomUUID()
    const requestTimeout = requestTimeoutFor(this.settings, ttl)
    const request = { resources, value, ttl, reserve: 1n, requestTimeout }
    return attemptAcquire(this.#context, request, (outcome) =>
      outcome.ok
        ? this.#granted(resources, value, 1, ttl, outcome)
        : this.#acquire(resources, ttl, options, { outcome, startedAt }),
    )
  }

  /** A lock won by an attempt: recorded as held here, announced, returned. */
  #granted(
    resources: readonly string[],
    value: string,
    attempts: number,
    ttl: number,
    outcome: Extract<AttemptOutcome, { ok: true }>,
  ): Lock {
    const init = {
      resources,
      value,
      attempts,
      fencingToken: outcome.token,
      tokenCeiling: outcome.ceiling,
      ttl,
      validUntil: outcome.validUntil,
    }
    const lock = new Lock(this, init)
    this.#queue.hold(lock)
    this.emit('acquired', lock)
    return lock
  }

  /**
   * Attempts until the lock is won, the retries run out, the signal aborts or the timeout passes; waits between
   * attempts in this Redlock's queue. `after` is a first attempt already made (and failed) by `#firstAttempt`.
   */
  async #acquire(
    resources: readonly string[],
    ttl: number,
    options: AcquireOptions,
    after?: { outcome: AttemptOutcome; startedAt: number },
  ): Promise<Lock> {
    const retryCount = retriesOf(options, this.settings)
    const deadline =
      options.timeout === undefined ? Number.POSITIVE_INFINITY : (after?.startedAt ?? now()) + options.timeout
    const requestTimeout = requestTimeoutFor(this.settings, ttl)
    // Made only when this acquire has to wait: the uncontended path allocates nothing for it.
    let waiter: Waiter | undefined
    let attempts = 0
    let answers: InstanceAnswer[] = []
    let locked = false
    if (after) {
      attempts = 1
      answers = after.outcome.answers
      locked = !after.outcome.ok && after.outcome.locked
      waiter = this.#waitAfter(undefined, resources, ttl, retryCount, attempts, locked, answers)
    } else if (this.#queue.busy(resources)) {
      waiter = new Waiter(resources, ttl)
      this.#queue.enqueue(waiter)
    }
    try {
      for (;;) {
        const end = options.signal?.aborted
          ? 'aborted'
          : waiter
            ? await waiter.wait(this.#retryDelay(options), options.signal, deadline)
            : 'go'
        if (end === 'aborted') {
          throw new LockError('acquire aborted', {
            reason: 'aborted',
            attempts,
            answers,
            cause: options.signal?.reason,
          })
        }
        if (end === 'timeout') {
          // Held here counts as held: a waiter queued behind a lock of this Redlock may not have tried yet.
          if (locked || this.#queue.heldHere(resources)) {
            throw new ResourceLockedError(resources, attempts, answers, 'timeout')
          }
          throw new LockError(`acquire timed out (${options.timeout} ms)`, { reason: 'timeout', attempts, answers })
        }
        if (end === 'granted' && waiter?.granted) {
          this.emit('acquired', waiter.granted)
          return waiter.granted
        }
        attempts++
        // Without a waiter nothing was held here a moment ago (`busy` said so), and nothing ran since.
        if (waiter && this.#queue.heldHere(resources)) {
          answers = this.#instances.map((_, instance) => ({ instance, status: 'locked' }))
          locked = true
        } else {
          // A contended lock records spare tokens, so it can later pass to the next waiter without a round trip.
          const reserve = waiter ? HANDOVER_TOKENS : 1n
          // A value per attempt: the undo of a failed attempt, if it ever ran late, cannot touch a later one's lock.
          const value = randomUUID()
          const request = { resources, value, ttl, reserve, requestTimeout }
          const outcome = await attemptAcquire(this.#context, request, (o) => o)
          answers = outcome.answers
          if (outcome.ok) return this.#granted(resources, value, attempts, ttl, outcome)
          locked = outcome.locked
        }
        waiter = this.#waitAfter(waiter, resources, ttl, retryCount, attempts, locked, answers)
      }
    } finally {
      if (waiter) this.#queue.remove(waiter)
    }
  }

  /**
   * After a failed attempt: throws the acquire's final error once `attempts` used up the retries, else puts the
   * acquire's waiter (made now if it has none) in line for the next attempt.
   */
  #waitAfter(
    waiter: Waiter | undefined,
    resources: readonly string[],
    ttl: number,
    retryCount: number,
    attempts: number,
    locked: boolean,
    answers: InstanceAnswer[],
  ): Waiter {
    if (retryCount >= 0 && attempts > retryCount) {
      if (locked) throw new ResourceLockedError(resources, attempts, answers)
      throw new LockError('no quorum of instances granted the lock', { reason: 'quorum', attempts, answers })
    }
    const next = waiter ?? new Waiter(resources, ttl)
    next.attempts = attempts
    this.#queue.enqueue(next)
    return next
  }

  async #using<T>(resources: readonly string[], ttl: number, options: UsingOptions, routine: UsingRoutine<T>) {
    const lock = await this.#begin(resources, ttl, options)
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
