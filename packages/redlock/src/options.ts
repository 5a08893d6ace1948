import { assertClient, assertKnownKeys, assertNumber, type RedisClient as CoreClient } from '@org/redis-core'

/** A client of one independent instance: an ioredis `Redis`, or a `Cluster` used as one instance. */
export type RedisClient = CoreClient

/** Defaults of one named resource. */
export interface ResourceDefaults {
  /** Lock time-to-live in ms when `acquire`/`using` is called without one. Default: the Redlock's `ttl`. */
  ttl?: number
}

/** Options of `new Redlock(clients, options)`. */
export interface RedlockOptions {
  /** Clock drift allowance as a fraction of the ttl (plus 2 ms). Default 0.01. */
  driftFactor?: number
  /**
   * Retries after the first attempt; -1 retries until the signal aborts. Default 10. Not used by a call that gives a
   * `timeout` (it retries until the timeout passes).
   */
  retryCount?: number
  /** Milliseconds between attempts when nothing wakes the waiter earlier. Default 200. */
  retryDelay?: number
  /** Random +/- milliseconds added to each retry delay. Default 100. */
  retryJitter?: number
  /** `using()` extends the lock when less than this many ms of validity are left. Default 500. */
  automaticExtensionThreshold?: number
  /** Prefix of every key. Default `'redlock:'`. */
  keyPrefix?: string
  /** Ttl of undeclared resources when none is given. Default 10000. */
  ttl?: number
  /** Milliseconds one instance may take to answer one request; default ttl / 10 clamped to 50..1000. */
  requestTimeout?: number
  /** Named resources and their defaults. */
  resources?: Record<string, ResourceDefaults>
  /**
   * Who gets a released lock when acquires of this Redlock wait for it too. `'fifo'` (default): it goes to one of them
   * directly only while no other process waits for it; when another does, it goes back into the common queue in
   * Redis, where waiters of every process are served in the order they started waiting. `'local-first'`: always to a
   * waiter of this process first (fastest, but a busy process can keep the lock while others wait).
   */
  fairness?: 'fifo' | 'local-first'
}

/** Per-call options of `acquire`. */
export interface AcquireOptions {
  /** Aborts waiting; the acquire rejects with a `LockError` (reason `aborted`). */
  signal?: AbortSignal
  /**
   * Gives up after this many ms (reason `timeout`). Retries go on until then: the Redlock's `retryCount` does not
   * end the acquire sooner; a `retryCount` given in the same call does.
   */
  timeout?: number
  /** Overrides the Redlock's `retryCount` for this call (also when a `timeout` is given: whichever ends first). */
  retryCount?: number
  /** Overrides the Redlock's `retryDelay` for this call. */
  retryDelay?: number
  /** Overrides the Redlock's `retryJitter` for this call. */
  retryJitter?: number
}

/** Per-call options of `using`. */
export interface UsingOptions extends AcquireOptions {
  /** At most this many automatic extensions; the signal aborts when the last one runs out. Default unlimited. */
  maxExtensions?: number
  /** Total time the lock may be held, in ms; no extension goes past it. Default unlimited. */
  maxHoldMs?: number
  /** Overrides the Redlock's `automaticExtensionThreshold`. */
  automaticExtensionThreshold?: number
}

/** Every setting resolved. */
export interface Settings {
  readonly driftFactor: number
  readonly retryCount: number
  readonly retryDelay: number
  readonly retryJitter: number
  readonly automaticExtensionThreshold: number
  readonly keyPrefix: string
  readonly ttl: number
  readonly requestTimeout: number | undefined
  readonly fairness: 'fifo' | 'local-first'
}

/** The defaults, as the Redlock reference implementation has them. */
export const DEFAULTS = {
  driftFactor: 0.01,
  retryCount: 10,
  retryDelay: 200,
  retryJitter: 100,
  automaticExtensionThreshold: 500,
  keyPrefix: 'redlock:',
  ttl: 10_000,
  fairness: 'fifo',
} as const

/**
 * Tokens a contended acquire records at once: the spare ones let the lock pass to the next waiter of this process
 * without a round trip (a token must be recorded on a quorum before it is handed out).
 */
export const HANDOVER_TOKENS = 64n

/**
 * How long a waiter keeps its place in the queue in Redis without renewing it (ms, judged by each instance's clock).
 * A waiter renews it every `WAITER_LEASE / 3` while it waits; one that dies or pauses loses its place within this.
 */
export const WAITER_LEASE = 1_000

/** How often a waiter renews its lease (ms). */
export const RENEW_EVERY = Math.floor(WAITER_LEASE / 3)

/**
 * The ttl of a key a release hands to the next waiter (ms): short, so that a waiter that died before claiming it
 * stalls the lock for this long at most, not for a whole lock ttl. The claim gives it the lock's ttl.
 */
export const HAND_OVER_TTL = WAITER_LEASE

/** Largest ttl Redis and Node timers both accept. */
export const MAX_TTL = 2 ** 31 - 1

/** A ttl must be a positive integer of ms, at most 2^31-1: TypeError for a non-number, RangeError otherwise. */
export function checkTtl(value: unknown, name: string): number {
  return assertNumber(value, name, { min: 1, max: MAX_TTL, integer: true, unit: 'milliseconds' })
}

/** A finite number >= min (and an integer when asked): TypeError for a non-number, RangeError otherwise. */
export function checkNumber(value: unknown, name: string, min: number, integer = false): number {
  // NaN in these settings has always been refused as not a number (a TypeError); a NaN ttl is a RangeError.
  if (Number.isNaN(value)) throw new TypeError(`${name} must be a number, got NaN`)
  return assertNumber(value, name, { min, integer })
}

function optional<T>(value: T | undefined, fallback: T, check: (v: unknown) => T): T {
  return value === undefined ? fallback : check(value)
}

/** One ioredis client per instance, none twice; frozen. */
export function checkClients(clients: unknown): readonly RedisClient[] {
  if (!Array.isArray(clients)) throw new TypeError('clients must be an array of ioredis clients')
  if (clients.length === 0) throw new RangeError('clients must hold at least one ioredis client')
  clients.forEach((client: unknown, i) => {
    assertClient(client, `clients[${i}]`)
    const first = clients.indexOf(client)
    if (first !== i) throw new RangeError(`clients[${i}] is the same client as clients[${first}]`)
  })
  return Object.freeze([...clients])
}

/** Validates constructor options and fills in defaults. */
export function resolveSettings(options: RedlockOptions): Settings {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object')
  assertKnownKeys(options, REDLOCK_KEYS, 'options')
  const driftFactor = optional(options.driftFactor, DEFAULTS.driftFactor, (v) => checkNumber(v, 'driftFactor', 0))
  if (driftFactor >= 1) throw new RangeError(`driftFactor must be below 1, got ${driftFactor}`)
  const keyPrefix = options.keyPrefix ?? DEFAULTS.keyPrefix
  if (typeof keyPrefix !== 'string') throw new TypeError(`keyPrefix must be a string, got ${typeof keyPrefix}`)
  return {
    driftFactor,
    retryCount: optional(options.retryCount, DEFAULTS.retryCount, (v) => checkNumber(v, 'retryCount', -1, true)),
    retryDelay: optional(options.retryDelay, DEFAULTS.retryDelay, (v) => checkNumber(v, 'retryDelay', 0)),
    retryJitter: optional(options.retryJitter, DEFAULTS.retryJitter, (v) => checkNumber(v, 'retryJitter', 0)),
    automaticExtensionThreshold: optional(
      options.automaticExtensionThreshold,
      DEFAULTS.automaticExtensionThreshold,
      (v) => checkNumber(v, 'automaticExtensionThreshold', 0),
    ),
    keyPrefix,
    ttl: optional(options.ttl, DEFAULTS.ttl, (v) => checkTtl(v, 'ttl')),
    requestTimeout:
      options.requestTimeout === undefined ? undefined : checkTtl(options.requestTimeout, 'requestTimeout'),
    fairness: checkFairness(options.fairness),
  }
}

function checkFairness(value: unknown): Settings['fairness'] {
  if (value === undefined) return DEFAULTS.fairness
  if (value === 'fifo' || value === 'local-first') return value
  if (typeof value !== 'string') throw new TypeError(`fairness must be 'fifo' or 'local-first', got ${typeof value}`)
  throw new RangeError(`fairness must be 'fifo' or 'local-first', got '${value}'`)
}

/** Validates the declared resources; each gets a resolved ttl. */
export function resolveResources(
  declared: RedlockOptions['resources'],
  defaultTtl: number,
): ReadonlyMap<string, Readonly<{ ttl: number }>> {
  const map = new Map<string, Readonly<{ ttl: number }>>()
  if (declared === undefined) return map
  if (typeof declared !== 'object' || declared === null || Array.isArray(declared)) {
    throw new TypeError('resources must be an object of { name: { ttl? } }')
  }
  for (const [name, defaults] of Object.entries(declared)) {
    if (name === '') throw new RangeError('resources: a resource name must not be empty')
    if (typeof defaults !== 'object' || defaults === null) {
      throw new TypeError(`resources.${name} must be an object like { ttl?: number }`)
    }
    assertKnownKeys(defaults, ['ttl'], `resources.${name}`)
    const ttl = defaults.ttl === undefined ? defaultTtl : checkTtl(defaults.ttl, `resources.${name}.ttl`)
    map.set(name, Object.freeze({ ttl }))
  }
  return map
}

/** One resource name or a list of them, as a non-empty list of distinct non-empty strings. */
export function checkResources(value: unknown, name = 'resources'): readonly string[] {
  if (typeof value === 'string' && value !== '') return [value]
  const list = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list)) throw new TypeError(`${name} must be a string or an array of strings`)
  if (list.length === 0) throw new RangeError(`${name} must not be empty`)
  const seen = new Set<string>()
  for (const [i, r] of list.entries()) {
    if (typeof r !== 'string') throw new TypeError(`${name}[${i}] must be a string, got ${typeof r}`)
    if (r === '') throw new RangeError(`${name}[${i}] must not be an empty string`)
    if (seen.has(r)) throw new RangeError(`${name} has a duplicate: ${r}`)
    seen.add(r)
  }
  return Object.freeze([...list])
}

const NO_OPTIONS: AcquireOptions = Object.freeze({})

// Any other key is refused: a misspelt option (`retryCont`, `timeOut`) would otherwise be ignored silently.
const REDLOCK_KEYS = [
  'driftFactor',
  'retryCount',
  'retryDelay',
  'retryJitter',
  'automaticExtensionThreshold',
  'keyPrefix',
  'ttl',
  'requestTimeout',
  'resources',
  'fairness',
] as const satisfies readonly (keyof RedlockOptions)[]
const ACQUIRE_KEYS = [
  'signal',
  'timeout',
  'retryCount',
  'retryDelay',
  'retryJitter',
] as const satisfies readonly (keyof AcquireOptions)[]
const USING_KEYS = [
  ...ACQUIRE_KEYS,
  'maxExtensions',
  'maxHoldMs',
  'automaticExtensionThreshold',
] as const satisfies readonly (keyof UsingOptions)[]

/** Validates per-call acquire options (before anything is sent). */
export function checkAcquireOptions(
  options: AcquireOptions | undefined,
  name = 'options',
  known: readonly string[] = ACQUIRE_KEYS,
): AcquireOptions {
  if (options === undefined) return NO_OPTIONS
  if (typeof options !== 'object' || options === null) throw new TypeError(`${name} must be an object`)
  assertKnownKeys(options, known, name)
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new TypeError(`${name}.signal must be an AbortSignal`)
  }
  if (options.timeout !== undefined) checkNumber(options.timeout, `${name}.timeout`, 0)
  if (options.retryCount !== undefined) checkNumber(options.retryCount, `${name}.retryCount`, -1, true)
  if (options.retryDelay !== undefined) checkNumber(options.retryDelay, `${name}.retryDelay`, 0)
  if (options.retryJitter !== undefined) checkNumber(options.retryJitter, `${name}.retryJitter`, 0)
  return options
}

/**
 * Retries of one acquire: the call's own `retryCount` when it gives one; else unlimited when it gives a `timeout`
 * (the timeout is what the caller asked to wait, so the Redlock's retry count must not end it sooner); else the
 * Redlock's `retryCount`.
 */
export function retriesOf(options: AcquireOptions, settings: Settings): number {
  if (options.retryCount !== undefined) return options.retryCount
  return options.timeout === undefined ? settings.retryCount : -1
}

/** Validates per-call using options (before anything is sent). */
export function checkUsingOptions(options: UsingOptions | undefined): UsingOptions {
  const checked: UsingOptions = checkAcquireOptions(options, 'options', USING_KEYS)
  if (checked.maxExtensions !== undefined) checkNumber(checked.maxExtensions, 'options.maxExtensions', 0, true)
  if (checked.maxHoldMs !== undefined) checkTtl(checked.maxHoldMs, 'options.maxHoldMs')
  if (checked.automaticExtensionThreshold !== undefined) {
    checkNumber(checked.automaticExtensionThreshold, 'options.automaticExtensionThreshold', 0)
  }
  return checked
}

/** Per-instance request timeout: far below the ttl so one slow instance cannot eat the validity. */
export function requestTimeoutFor(settings: Settings, ttl: number): number {
  return settings.requestTimeout ?? Math.min(1_000, Math.max(50, Math.floor(ttl / 10)))
}
