import type { Clock, RandomSource } from './types.js'

/** Options of `RoundRobin`: none, it is deterministic. */
export type RoundRobinOptions = Record<string, never>

/** Options of `Random`. */
export interface RandomOptions {
  /** Uniform source in [0, 1); default `Math.random`. */
  random?: RandomSource
}

/** Options of `LeastActive`. */
export interface LeastActiveOptions {
  /** Breaks the last ties; default `Math.random`. */
  random?: RandomSource
}

/** Options of `P2C` (power of two choices over peak-EWMA latency). */
export interface P2COptions {
  /** Draws the two candidates; default `Math.random`. */
  random?: RandomSource
  /** Monotonic milliseconds, read once per `onEnd`; default from `process.hrtime()`. */
  now?: Clock
  /** How fast an old latency peak is forgotten (EWMA time constant), ms; default 10,000 as in Linkerd. */
  decayMs?: number
  /** A failure counts as at least this many times the endpoint's (or the fleet's) latency; default 2, >= 1. */
  failurePenalty?: number
}

/** Options of `ConsistentHash`. */
export interface ConsistentHashOptions {
  /** Used only when a pick has no `key` (then the pick is weighted random); default `Math.random`. */
  random?: RandomSource
}

/** Options of `ShortestResponse`. */
export interface ShortestResponseOptions {
  /** Breaks ties; default `Math.random`. */
  random?: RandomSource
  /** Monotonic milliseconds, read once per `onEnd`; default from `process.hrtime()`. */
  now?: Clock
  /** Length of the sliding window the average latency is taken over, ms; default 30,000 as in Dubbo. */
  windowMs?: number
  /** A failure counts as at least this many times the endpoint's (or the fleet's) latency; default 2, >= 1. */
  failurePenalty?: number
}

/**
 * Options of each registered policy, by canonical name: `createBalancer('P2C', { ... })` is typed from it.
 * Augment it (`declare module '@org/balancer'`) to type the options of your own policies.
 */
export interface PolicyOptionsMap {
  RoundRobin: RoundRobinOptions
  Random: RandomOptions
  LeastActive: LeastActiveOptions
  P2C: P2COptions
  ConsistentHash: ConsistentHashOptions
  ShortestResponse: ShortestResponseOptions
}

/** Defaults of the numeric options. */
export const DEFAULTS = {
  decayMs: 10_000,
  windowMs: 30_000,
  failurePenalty: 2,
} as const

/** Monotonic ms from `process.hrtime()`: unlike `performance.now()`, it allocates nothing once optimised. */
const defaultClock: Clock = () => {
  // Indexing rather than destructuring: destructuring runs the iterator protocol, which allocates.
  const time = process.hrtime()
  return time[0] * 1e3 + time[1] / 1e6
}

/** A plain options object, checked against the keys a policy knows so that typos do not pass silently. */
export function checkOptions(policy: string, options: unknown, known: readonly string[]): Record<string, unknown> {
  if (options === undefined || options === null) return {}
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(
      `options of ${policy} must be an object, got ${Array.isArray(options) ? 'array' : typeof options}`,
    )
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      const list = known.length > 0 ? known.join(', ') : 'none'
      throw new TypeError(`unknown option '${key}' for policy ${policy}; known options: ${list}`)
    }
  }
  return options as Record<string, unknown>
}

/** `options.random`, or `Math.random`. */
export function randomOption(policy: string, options: Record<string, unknown>): RandomSource {
  return functionOption(policy, options, 'random', Math.random)
}

/** `options.now`, or a monotonic clock from `process.hrtime`. */
export function clockOption(policy: string, options: Record<string, unknown>): Clock {
  return functionOption(policy, options, 'now', defaultClock)
}

/** A number option that must be finite and at least `min` (exclusive when `min` is 0). */
export function numberOption(
  policy: string,
  options: Record<string, unknown>,
  key: string,
  fallback: number,
  min: number,
): number {
  const value = options[key]
  if (value === undefined) return fallback
  if (typeof value !== 'number')
    throw new TypeError(`options.${key} of ${policy} must be a number, got ${typeof value}`)
  const ok = Number.isFinite(value) && (min === 0 ? value > 0 : value >= min)
  if (!ok) {
    const bound = min === 0 ? '> 0' : `>= ${min}`
    throw new RangeError(`options.${key} of ${policy} must be a finite number ${bound}, got ${value}`)
  }
  return value
}

function functionOption<F extends (...args: never[]) => unknown>(
  policy: string,
  options: Record<string, unknown>,
  key: string,
  fallback: F,
): F {
  const value = options[key]
  if (value === undefined) return fallback
  if (typeof value !== 'function')
    throw new TypeError(`options.${key} of ${policy} must be a function, got ${typeof value}`)
  return value as F
}
