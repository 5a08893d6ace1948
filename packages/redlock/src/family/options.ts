import { assertKnownKeys, assertNumber } from '@org/redis-core'
import { type AcquireOptions, checkAcquireOptions, checkTtl, checkUsingOptions, type UsingOptions } from '../options.js'

/** Options of `redlock.readWrite(name, options)`. */
export interface ReadWriteOptions {
  /** Ttl of `read()` and `write()` when they are given none (ms). Default: the name's declared ttl, else the Redlock's. */
  ttl?: number
}

/** Options of `redlock.semaphore(name, options)`. */
export interface SemaphoreOptions {
  /** How many holders at once, at most: an integer >= 1. Every user of the name must give the same number. */
  permits: number
  /** Ttl of a permit when `acquire()` is given none (ms). Default: the name's declared ttl, else the Redlock's. */
  ttl?: number
}

/** Largest `permits`: far beyond any real use, and an exact Lua number. */
export const MAX_PERMITS = 2 ** 31 - 1

/** A name of a read-write lock or semaphore: a non-empty string. */
export function checkName(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string, got ${typeof value}`)
  if (value === '') throw new RangeError(`${what} must not be an empty string`)
  return value
}

/** Options of `readWrite`: an object or nothing; its ttl checked. */
export function checkReadWriteOptions(options: unknown): ReadWriteOptions {
  if (options === undefined) return {}
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object like { ttl? }')
  assertKnownKeys(options, ['ttl'], 'options')
  const { ttl } = options as ReadWriteOptions
  return { ttl: ttl === undefined ? undefined : checkTtl(ttl, 'options.ttl') }
}

/** Options of `semaphore`: `permits` an integer >= 1 (TypeError for a non-number, RangeError otherwise), ttl checked. */
export function checkSemaphoreOptions(options: unknown): SemaphoreOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('options must be an object like { permits, ttl? }')
  }
  assertKnownKeys(options, ['permits', 'ttl'], 'options')
  const { permits, ttl } = options as SemaphoreOptions
  return {
    permits: assertNumber(permits, 'options.permits', { min: 1, max: MAX_PERMITS, integer: true }),
    ttl: ttl === undefined ? undefined : checkTtl(ttl, 'options.ttl'),
  }
}

/** The `(ttl?, options?)` of `read`, `write` and `acquire`, or `(options)`, checked. */
export function acquireArgs(first: unknown, second: unknown): [ttl: number | undefined, options: AcquireOptions] {
  if (typeof first === 'object' && first !== null) return [undefined, checkAcquireOptions(first as AcquireOptions)]
  return [first === undefined ? undefined : checkTtl(first, 'ttl'), checkAcquireOptions(second as AcquireOptions)]
}

/**
 * The arguments of `usingRead`, `usingWrite` and `using`: `(routine)`, `(ttl, routine)`, `(options, routine)` or
 * `(ttl, options, routine)`, the routine last; checked.
 */
export function usingArgs<R>(rest: unknown[]): [ttl: number | undefined, options: UsingOptions, routine: R] {
  const routine = rest.pop()
  if (typeof routine !== 'function') throw new TypeError('routine must be a function (signal, hold) => result')
  const [first, second] = rest
  if (typeof first === 'object' && first !== null) {
    return [undefined, checkUsingOptions(first as UsingOptions), routine as R]
  }
  const ttl = first === undefined ? undefined : checkTtl(first, 'ttl')
  return [ttl, checkUsingOptions(second as UsingOptions | undefined), routine as R]
}
