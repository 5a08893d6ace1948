import { describe, expect, it } from 'vitest'
import {
  assertClient,
  assertFunction,
  assertInteger,
  assertKnownKeys,
  assertName,
  assertObject,
  assertTimeout,
  describe as describeValue,
  isThenable,
  PRINTABLE_NAME,
  RedisCoreError,
} from '../src/index.js'

describe('names are checked with a message naming the argument', () => {
  it('accepts usual names and returns them', () => {
    expect(assertName('billing:v2', 'service')).toBe('billing:v2')
    expect(assertName('a b', 'method', PRINTABLE_NAME)).toBe('a b')
  })

  it('refuses non-strings, empty, too long and characters outside the rule', () => {
    expect(() => assertName(42, 'service')).toThrow(TypeError)
    expect(() => assertName('', 'service')).toThrow(/service must not be empty/)
    expect(() => assertName('x'.repeat(201), 'provider.id')).toThrow(/provider.id must be at most 200 characters/)
    expect(() => assertName('not ok', 'service')).toThrow(/service may only contain/)
    expect(() => assertName('a{b', 'service', PRINTABLE_NAME)).toThrow(RangeError)
    expect(() => assertName('a\nb', 'ns', PRINTABLE_NAME)).toThrow(/control characters/)
  })
})

describe('numbers, objects and functions are checked with a message naming the argument', () => {
  it('integers within bounds', () => {
    expect(assertInteger(5, 'n')).toBe(5)
    expect(() => assertInteger(0, 'options.concurrency')).toThrow(/options.concurrency must be an integer >= 1/)
    expect(() => assertInteger(1.5, 'n')).toThrow(RangeError)
    expect(() => assertInteger('3', 'n')).toThrow(/got "3"/)
    expect(() => assertInteger(11, 'n', { min: 0, max: 10 })).toThrow(/from 0 to 10/)
  })

  it('timeouts a timer can wait', () => {
    expect(assertTimeout(0.5, 't')).toBe(0.5)
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, '5']) {
      expect(() => assertTimeout(bad, 'options.timeoutMs')).toThrow(/options.timeoutMs/)
    }
  })

  it('objects and functions', () => {
    expect(() => assertObject([], 'options')).toThrow(/options must be an object, got an array/)
    expect(() => assertObject(null, 'options')).toThrow(TypeError)
    expect(() => assertFunction('f', 'listener')).toThrow(/listener must be a function/)
  })

  it('describes bad values safely', () => {
    expect([
      describeValue('x'),
      describeValue(() => 1),
      describeValue(1n),
      describeValue({}),
      describeValue(null),
    ]).toEqual(['"x"', 'a function', '1n', 'an object', 'null'])
  })
})

describe('clients are recognized by shape', () => {
  it('refuses what is not an ioredis client, naming the argument', () => {
    expect(() => assertClient({}, 'options.subscriber')).toThrow(/options.subscriber must be an ioredis client/)
    expect(() => assertClient(null, 'redis')).toThrow(TypeError)
  })
})

describe('errors carry a stable code', () => {
  it('subclasses keep their name and code and are told apart by instanceof', () => {
    class ThingError extends RedisCoreError {
      constructor() {
        super('THING', 'a thing failed')
      }
    }
    const err = new ThingError()
    expect(err).toBeInstanceOf(RedisCoreError)
    expect(err).toBeInstanceOf(Error)
    expect(err.name).toBe('ThingError')
    expect(err.code).toBe('THING')
  })

  it('isThenable tells promises from plain values', () => {
    expect(isThenable(Promise.resolve(1))).toBe(true)
    // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a promise is the case under test
    expect(isThenable({ then() {} })).toBe(true)
    expect(isThenable(1)).toBe(false)
    expect(isThenable(null)).toBe(false)
  })
})

describe('assertKnownKeys', () => {
  it('names the first unknown key and lists the known ones', () => {
    expect(() => assertKnownKeys({ lock: ['a'], locks: ['b'] }, ['lock', 'handler'], "method 's.m'")).toThrow(
      new TypeError("method 's.m' has no option 'locks'; known: lock, handler"),
    )
    expect(() => assertKnownKeys({ lock: ['a'] }, ['lock'], 'x')).not.toThrow()
    // Inherited keys are not the caller's options.
    expect(() => assertKnownKeys(Object.create({ stray: 1 }), [], 'x')).not.toThrow()
  })
})
