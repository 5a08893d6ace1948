import { assertKnownKeys, DEFAULT_NAMESPACE, describe, SIMPLE_NAME } from '@org/redis-core'
import type { BreakerOptions } from './CircuitBreaker.js'
import type { Logger } from './logging/index.js'
import type { SummaryOptions } from './summary/options.js'
import type { TelemetryOptions } from './telemetry/TelemetryOptions.js'

/** Options of `new RedRpc(rlock, [redis], options)`. Every field has a default. */
export interface RedRpcOptions extends SummaryOptions {
  /** Prefix of every key and channel in Redis; callers and providers must agree on it. Default `'redrpc'`. */
  namespace?: string
  /** How often a provider stamps its heartbeat. Default 500 ms. */
  heartbeatMs?: number
  /** A provider whose last heartbeat is older is gone. Default 2,000 ms (must exceed `heartbeatMs`). */
  ttlMs?: number
  /** Default load-balancing policy (any `@org/balancer` name). Default `'RoundRobin'`. */
  policy?: string
  /** Running handlers per provider. Default 64. */
  concurrency?: number
  /** Caller defaults for every service; `getInstance(service, options)` and each call may override them. */
  call?: CallDefaults
  /** Take over the inbox of a provider that died, from a live local provider of the same service. Default true. */
  adoptOrphans?: boolean
  /**
   * How long registrations and a service's first call wait for the Redis connection before failing with
   * `RedisUnavailableError` (at once when a connection attempt fails, e.g. ECONNREFUSED). Default 5,000 ms.
   */
  connectTimeoutMs?: number
  /** Longest `close()`: past it, `close()` rejects with `CloseTimeoutError` naming what did not finish. Default 5,000 ms. */
  closeTimeoutMs?: number
  /**
   * Where RedRpc logs what changes (connection lost/recovered, providers up/down, adoptions, breakers, lost locks,
   * background warnings), once per change and never per call: pino, console, or any `{ debug, info, warn, error }`.
   * Default: silent, unless the `DEBUG` environment variable names `redrpc:*` (then to stderr).
   */
  logger?: Logger
  /**
   * OpenTelemetry traces and metrics through `@opentelemetry/api` (an optional peer dependency) and the providers you
   * registered globally: `true` for both, or `{ tracing?, metrics? }`. Default false: no hook, no cost.
   */
  telemetry?: boolean | TelemetryOptions
}

/** Fault-tolerance settings a caller applies to a service (and, except breaker/bulkhead, per call). */
export interface CallDefaults {
  /** Time allowed for one attempt, from send to reply. Default 10,000 ms. */
  timeoutMs?: number
  /** Extra attempts on another provider, for idempotent methods or errors proving the call never ran. Default 2. */
  retries?: number
  /** Pause before a retry. Default 25 ms. */
  retryDelayMs?: number
  /** Calls from this process to one service at once; beyond it a call fails with `BulkheadFullError`. Default 1,000. */
  maxInFlight?: number
  /** Per-provider circuit breaker. */
  breaker?: BreakerOptions
}

/** Per-call options of `callApi(method, params, options)`. */
export interface CallOptions {
  /** Overrides the method's and service's `timeoutMs` for each attempt. */
  timeoutMs?: number
  /** Overrides the number of retries. */
  retries?: number
  /** Cancels the call. */
  signal?: AbortSignal
  /** Free data handed to the handler as `ctx.metadata`. */
  metadata?: Record<string, unknown>
  /** Routing key for key-aware policies such as `ConsistentHash`. */
  key?: string
}

/** Caller settings fully resolved. */
export type ResolvedCallDefaults = Required<Omit<CallDefaults, 'breaker'>> & { breaker: Required<BreakerOptions> }

/** Options with defaults applied. */
export interface ResolvedOptions {
  namespace: string
  heartbeatMs: number
  ttlMs: number
  policy: string
  concurrency: number
  call: ResolvedCallDefaults
  adoptOrphans: boolean
  connectTimeoutMs: number
  closeTimeoutMs: number
  logger?: Logger
  telemetry?: boolean | TelemetryOptions
}

/** Defaults chosen so that a dead provider is detected and its inbox adopted well before a call times out. */
export const DEFAULTS: ResolvedOptions = {
  namespace: DEFAULT_NAMESPACE,
  heartbeatMs: 500,
  ttlMs: 2_000,
  policy: 'RoundRobin',
  concurrency: 64,
  adoptOrphans: true,
  connectTimeoutMs: 5_000,
  closeTimeoutMs: 5_000,
  call: {
    timeoutMs: 10_000,
    retries: 2,
    retryDelayMs: 25,
    maxInFlight: 1_000,
    breaker: { failureThreshold: 5, cooldownMs: 5_000 },
  },
}

/**
 * Throws a TypeError naming `what` unless `value` is a usable service, provider or method name: the core's simple
 * name rule (the registry's), with the facade's one error class for every bad name.
 */
export function assertName(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || value.length > SIMPLE_NAME.maxLength || !SIMPLE_NAME.pattern.test(value)) {
    throw new TypeError(`${what} must be 1-200 characters of [A-Za-z0-9._:-], got ${describe(value)}`)
  }
}

/** Throws a RangeError naming `what` unless `value` is an integer >= `min`. */
export function assertInteger(value: unknown, what: string, min: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RangeError(`${what} must be an integer >= ${min}, got ${describe(value)}`)
  }
}

/** Throws a RangeError naming `what` unless `value` is a positive integer or Infinity. */
function assertLimit(value: unknown, what: string): asserts value is number {
  if (value === Number.POSITIVE_INFINITY) return
  assertInteger(value, what, 1)
}

/** A short, safe rendering of a bad value for an error message (the core's). */
export { describe }

// Any other key is refused: a misspelt option would otherwise be ignored and its default apply silently.
const OPTION_KEYS = [
  'namespace',
  'heartbeatMs',
  'ttlMs',
  'policy',
  'concurrency',
  'call',
  'adoptOrphans',
  'connectTimeoutMs',
  'closeTimeoutMs',
  'logger',
  'telemetry',
  'summaryMs',
] as const satisfies readonly (keyof RedRpcOptions)[]
const CALL_DEFAULT_KEYS = [
  'timeoutMs',
  'retries',
  'retryDelayMs',
  'maxInFlight',
  'breaker',
] as const satisfies readonly (keyof CallDefaults)[]
const BREAKER_KEYS = ['failureThreshold', 'cooldownMs'] as const satisfies readonly (keyof BreakerOptions)[]

/** Validates caller settings; unset fields keep `base`. */
export function resolveCallDefaults(
  given: CallDefaults | undefined,
  base: ResolvedCallDefaults,
  where: string,
): ResolvedCallDefaults {
  if (given === undefined) return base
  if (given === null || typeof given !== 'object') throw new TypeError(`${where} must be an object`)
  assertKnownKeys(given, CALL_DEFAULT_KEYS, where)
  const out: ResolvedCallDefaults = { ...base, ...stripUndefined(given), breaker: { ...base.breaker } }
  assertInteger(out.timeoutMs, `${where}.timeoutMs`, 1)
  assertInteger(out.retries, `${where}.retries`, 0)
  assertInteger(out.retryDelayMs, `${where}.retryDelayMs`, 0)
  assertLimit(out.maxInFlight, `${where}.maxInFlight`)
  if (given.breaker !== undefined) {
    if (given.breaker === null || typeof given.breaker !== 'object') {
      throw new TypeError(`${where}.breaker must be an object`)
    }
    assertKnownKeys(given.breaker, BREAKER_KEYS, `${where}.breaker`)
    Object.assign(out.breaker, stripUndefined(given.breaker))
    assertInteger(out.breaker.failureThreshold, `${where}.breaker.failureThreshold`, 1)
    assertInteger(out.breaker.cooldownMs, `${where}.breaker.cooldownMs`, 1)
  }
  return out
}

/** Validates the constructor's options and applies the defaults. */
export function resolveOptions(options: RedRpcOptions | undefined): ResolvedOptions {
  if (options === undefined) return DEFAULTS
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object')
  assertKnownKeys(options, OPTION_KEYS, 'options')
  const out: ResolvedOptions = {
    ...DEFAULTS,
    ...stripUndefined(options),
    call: resolveCallDefaults(options.call, DEFAULTS.call, 'options.call'),
  }
  assertName(out.namespace, 'options.namespace')
  assertInteger(out.heartbeatMs, 'options.heartbeatMs', 1)
  assertInteger(out.ttlMs, 'options.ttlMs', 1)
  if (out.ttlMs <= out.heartbeatMs) {
    throw new RangeError(`options.ttlMs (${out.ttlMs}) must be greater than options.heartbeatMs (${out.heartbeatMs})`)
  }
  if (typeof out.policy !== 'string' || out.policy === '') throw new TypeError('options.policy must be a policy name')
  assertInteger(out.concurrency, 'options.concurrency', 1)
  if (typeof out.adoptOrphans !== 'boolean') throw new TypeError('options.adoptOrphans must be a boolean')
  assertInteger(out.connectTimeoutMs, 'options.connectTimeoutMs', 1)
  assertInteger(out.closeTimeoutMs, 'options.closeTimeoutMs', 1)
  return out
}

/** Validates per-call options before anything is sent. */
export function assertCallOptions(options: CallOptions | undefined): void {
  if (options === undefined) return
  if (options === null || typeof options !== 'object') throw new TypeError('call options must be an object')
  if (options.timeoutMs !== undefined) assertInteger(options.timeoutMs, 'options.timeoutMs', 1)
  if (options.retries !== undefined) assertInteger(options.retries, 'options.retries', 0)
  if (options.key !== undefined && typeof options.key !== 'string') throw new TypeError('options.key must be a string')
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new TypeError('options.signal must be an AbortSignal')
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
