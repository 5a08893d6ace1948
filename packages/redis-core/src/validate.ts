/**
 * Checks of user input, each throwing the built-in TypeError or RangeError with a message that names the argument
 * (`what`) and shows the bad value. They run before anything touches Redis.
 */

/** Longest timer Node accepts (ms); longer waits would fire at once. */
export const MAX_TIMER_MS = 2_147_483_647

/** A short, safe rendering of a bad value for an error message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'bigint') return `${value}n`
  if (value === null || typeof value !== 'object') return String(value)
  return Array.isArray(value) ? 'an array' : 'an object'
}

/** What makes a valid name: every character matched by `pattern`, 1 to `maxLength` characters. */
export interface NameRule {
  /** Matches a whole valid name, of any length >= 1. */
  readonly pattern: RegExp
  /** Longest accepted name. */
  readonly maxLength: number
  /** What `pattern` asks, for messages: `"may only contain ..."`, `"must not contain ..."`. */
  readonly says: string
}

/** Longest name (service, provider id, namespace, method) under {@link SIMPLE_NAME}. */
export const NAME_MAX_LENGTH = 200

/** Names as the registry and the facade take them: 1-200 characters of `[A-Za-z0-9._:-]`. */
export const SIMPLE_NAME: NameRule = {
  pattern: /^[A-Za-z0-9._:-]+$/,
  maxLength: NAME_MAX_LENGTH,
  says: 'may only contain A-Z a-z 0-9 . _ : -',
}

/**
 * Names as the transport takes them: anything printable but braces. Control characters would break its
 * tab-separated headers; braces are refused so that a name reads the same in a key as it was written.
 */
export const PRINTABLE_NAME: NameRule = {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  pattern: /^[^{}\u0000-\u001f\u007f]+$/,
  maxLength: Number.POSITIVE_INFINITY,
  says: "must not contain '{', '}' or control characters",
}

/**
 * Returns `value` when it is a valid name under `rule`, else throws (TypeError for a non-string, RangeError
 * otherwise). One regular-expression test for a valid name: it runs for every call on hot paths.
 */
export function assertName(value: unknown, what: string, rule: NameRule = SIMPLE_NAME): string {
  if (typeof value === 'string' && value.length <= rule.maxLength && rule.pattern.test(value)) return value
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string, got ${describe(value)}`)
  if (value.length === 0) throw new RangeError(`${what} must not be empty`)
  if (value.length > rule.maxLength) {
    throw new RangeError(`${what} must be at most ${rule.maxLength} characters, got ${value.length}`)
  }
  throw new RangeError(`${what} ${rule.says}, got ${describe(value)}`)
}

/** Bounds of {@link assertInteger}, both inclusive. */
export interface IntegerBounds {
  /** Default 1. */
  min?: number
  /** Default `Number.MAX_SAFE_INTEGER`. */
  max?: number
  /** Unit named in the message, e.g. `'milliseconds'`. */
  unit?: string
}

/** Returns `value` when it is an integer within the bounds (default: positive), else throws a RangeError. */
export function assertInteger(value: unknown, what: string, bounds: IntegerBounds = {}): number {
  const { min = 1, max = Number.MAX_SAFE_INTEGER } = bounds
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`
  const unit = bounds.unit ? ` (${bounds.unit})` : ''
  throw new RangeError(`${what} must be an integer ${range}${unit}, got ${describe(value)}`)
}

/** Bounds of {@link assertNumber}, both inclusive. */
export interface NumberBounds {
  /** Default `-Infinity`. */
  min?: number
  /** Default `Infinity`. */
  max?: number
  /** Also refuse fractions. Default false. */
  integer?: boolean
  /** Unit named in the message, e.g. `'milliseconds'`. */
  unit?: string
}

/**
 * Returns `value` when it is a finite number within the bounds (an integer when asked). Throws a TypeError when it
 * is not a number at all (a string, an object: the caller passed the wrong thing), a RangeError otherwise (NaN,
 * infinite, out of bounds, a fraction): for APIs that tell the two apart, where {@link assertInteger} says RangeError
 * for both.
 */
export function assertNumber(value: unknown, what: string, bounds: NumberBounds = {}): number {
  const { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY, integer = false } = bounds
  if (typeof value !== 'number') throw new TypeError(`${what} must be a number, got ${describe(value)}`)
  if (Number.isFinite(value) && value >= min && value <= max && (!integer || Number.isInteger(value))) return value
  const kind = integer ? 'an integer' : 'a finite number'
  const range = max === Number.POSITIVE_INFINITY ? `>= ${min}` : `from ${min} to ${max}`
  const unit = bounds.unit ? ` (${bounds.unit})` : ''
  throw new RangeError(`${what} must be ${kind} ${range}${unit}, got ${describe(value)}`)
}

/** Returns `value` when it is a positive, finite number of ms a timer can wait, else throws a RangeError. */
export function assertTimeout(value: unknown, what: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= MAX_TIMER_MS) return value
  throw new RangeError(
    `${what} must be a positive number of milliseconds up to ${MAX_TIMER_MS}, got ${describe(value)}`,
  )
}

/** Returns `value` when it is an object (not null, not an array), else throws a TypeError. */
export function assertObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${what} must be an object, got ${describe(value)}`)
  }
  return value as Record<string, unknown>
}

/**
 * Throws a TypeError naming the first key of `value` that is not in `known`: a misspelt option (`locks` for `lock`,
 * `timeoutMS`) would otherwise be ignored silently and the setting the user asked for would not apply.
 */
export function assertKnownKeys(value: object, known: readonly string[], what: string): void {
  for (const key in value) {
    if (Object.hasOwn(value, key) && !known.includes(key)) {
      throw new TypeError(`${what} has no option '${key}'; known: ${known.join(', ')}`)
    }
  }
}

/** Returns `value` when it is a function, else throws a TypeError. */
export function assertFunction<F extends (...args: never[]) => unknown>(value: unknown, what: string): F {
  if (typeof value !== 'function') throw new TypeError(`${what} must be a function, got ${describe(value)}`)
  return value as F
}
