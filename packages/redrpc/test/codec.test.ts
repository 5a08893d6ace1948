import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CodecError, RedRpcError, redRpcCodec } from '../src/index.js'

const roundTrip = (value: unknown) => redRpcCodec.decode(Buffer.from(redRpcCodec.encode(value) as string))

/** Keys as users write them, plus the ones that could be mistaken for the codec's own: `$` keys, `__proto__`. */
const key = fc.oneof(
  fc.string(),
  fc.constantFrom('$bigint', '$number', '$undefined', '$$bigint', '$', '__proto__', 'a.b', '0'),
  fc.string().map((s) => `$${s}`),
)

/** Every kind of value the codec promises to carry exactly. */
const accepted = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.string({ unit: 'binary' }), // lone surrogates included
    fc.double({ noNaN: true, noDefaultInfinity: true }), // -0 included
    fc.integer(),
    fc.bigInt(),
    fc.constant(-0),
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 5, noNullPrototype: true }),
})).value

/** A value the codec must refuse, with where it sits relative to its container. */
class Point {
  x = 1
}
const poison = fc.constantFrom<[string, () => unknown]>(
  ['a function', () => () => 1],
  ['a symbol', () => Symbol('s')],
  ['NaN', () => Number.NaN],
  ['Infinity', () => Number.POSITIVE_INFINITY],
  ['-Infinity', () => Number.NEGATIVE_INFINITY],
  ['a Date', () => new Date(0)],
  ['a Map', () => new Map([[1, 2]])],
  ['a Set', () => new Set([1])],
  ['a RegExp', () => /x/],
  ['a class instance', () => new Point()],
  ['a Buffer', () => Buffer.from('x')],
  ['a typed array', () => new Uint8Array(2)],
  ['an Error', () => new Error('x')],
  ['a boxed string', () => new String('x')],
  ['an array subclass', () => new (class Items extends Array {})()],
  ['a promise', () => Promise.resolve(1)],
)

describe('every value the codec accepts arrives exactly as sent', () => {
  it('round-trips arbitrary JSON-like values with bigints, -0, lone surrogates and $ keys (property)', () => {
    fc.assert(
      fc.property(accepted, (value) => {
        expect(roundTrip(value)).toStrictEqual(value)
      }),
      { numRuns: 2_000 },
    )
  })

  it('a plain object that looks like a tagged bigint stays that object', () => {
    expect(roundTrip({ $bigint: '42' })).toStrictEqual({ $bigint: '42' })
    expect(roundTrip([{ $bigint: '42' }, 42n])).toStrictEqual([{ $bigint: '42' }, 42n])
    expect(roundTrip({ $number: '-0', $undefined: 0 })).toStrictEqual({ $number: '-0', $undefined: 0 })
  })

  it('bigints of any size and -0 keep their type and sign; undefined as the whole value stays undefined', () => {
    expect(roundTrip(-(2n ** 200n))).toBe(-(2n ** 200n))
    expect(Object.is(roundTrip(-0), -0)).toBe(true)
    expect(roundTrip(undefined)).toBeUndefined()
  })

  it('a __proto__ key stays an own key and never changes the prototype', () => {
    const value = JSON.parse('{"__proto__":{"polluted":true},"$x":1}') as Record<string, unknown>
    const back = roundTrip(value) as Record<string, unknown>
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype)
    expect(Object.keys(back)).toEqual(['__proto__', '$x'])
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined()
    // (toStrictEqual reads `constructor` to compare types, so this key is checked on its own.)
    expect(JSON.stringify(roundTrip({ constructor: [1] }))).toBe('{"constructor":[1]}')
  })

  it('documented: a property whose value is undefined arrives absent; a null-prototype object arrives plain', () => {
    expect(roundTrip({ a: 1, b: undefined })).toStrictEqual({ a: 1 })
    const bare = Object.assign(Object.create(null) as object, { a: 1 })
    expect(roundTrip(bare)).toEqual({ a: 1 })
  })

  it('plain JSON values are sent as plain JSON text (readable, no tag)', () => {
    expect(redRpcCodec.encode({ a: [1, 'x', null, true] })).toBe('{"a":[1,"x",null,true]}')
  })
})

describe('every value the codec cannot carry exactly is refused with CodecError naming its path', () => {
  it('a poison anywhere in an accepted value is refused, at its path (property)', () => {
    const place = fc.array(fc.oneof(fc.nat({ max: 3 }), fc.constantFrom('f', 'items', 'a b')), { maxLength: 4 })
    fc.assert(
      fc.property(place, poison, accepted, (steps, [, make], filler) => {
        // Build a container holding the poison at `steps`; arrays are padded with the filler value.
        let value: unknown = make()
        for (let i = steps.length - 1; i >= 0; i--) {
          const step = steps[i] as number | string
          if (typeof step === 'number') {
            const array: unknown[] = Array.from({ length: step + 1 }, () => filler ?? 0)
            array[step] = value
            value = array
          } else {
            value = { [step]: value, other: filler }
          }
        }
        const path = `value${steps.map((s) => (typeof s === 'number' ? `[${s}]` : s === 'a b' ? '["a b"]' : `.${s}`)).join('')}`
        let error: unknown
        try {
          redRpcCodec.encode(value)
        } catch (err) {
          error = err
        }
        expect(error).toBeInstanceOf(CodecError)
        expect(error).toBeInstanceOf(RedRpcError)
        expect((error as CodecError).path).toBe(path)
      }),
      { numRuns: 1_000 },
    )
  })

  it('anything else either round-trips exactly or is refused with CodecError, never changed (property)', () => {
    const anything = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: false,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      key,
    })
    fc.assert(
      fc.property(anything, (value) => {
        let encoded: string | undefined
        try {
          encoded = redRpcCodec.encode(value) as string
        } catch (err) {
          expect(err).toBeInstanceOf(CodecError)
          return
        }
        expect(redRpcCodec.decode(Buffer.from(encoded))).toStrictEqual(stripUndefinedProperties(value))
      }),
      { numRuns: 2_000 },
    )
  })

  it('refuses undefined and holes in arrays, symbol keys and cycles', () => {
    const refusal = (value: unknown) => {
      try {
        redRpcCodec.encode(value)
      } catch (err) {
        return err as CodecError
      }
      throw new Error('not refused')
    }
    expect(refusal({ items: [1, undefined] }).path).toBe('value.items[1]')
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    expect(refusal([1, , 3]).path).toBe('value[1]')
    expect(refusal({ a: { [Symbol('k')]: 1 } })).toMatchObject({ path: 'value.a', message: /symbol key/ })
    // Non-enumerable properties (and symbol keys) are not part of the value, as for structuredClone.
    const hidden = Object.defineProperty({ shown: 1 }, 'hidden', { value: 1 })
    Object.defineProperty(hidden, Symbol('marker'), { value: 1 })
    expect(roundTrip(hidden)).toStrictEqual({ shown: 1 })
    const cycle: Record<string, unknown> = { a: [] }
    ;(cycle.a as unknown[]).push(cycle)
    expect(refusal(cycle)).toMatchObject({ path: 'value.a[0]', message: /cycle/ })
    // A shared (not cyclic) reference is fine.
    const shared = { x: 1 }
    expect(roundTrip([shared, shared])).toStrictEqual([{ x: 1 }, { x: 1 }])
  })

  it('values nested deeper than the quick walk goes are judged like shallow ones: kept, or refused at their path', () => {
    const nest = (depth: number, inner: unknown) => {
      let value = inner
      for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { d: value }
      return value
    }
    for (const depth of [63, 64, 65, 200]) {
      expect(roundTrip(nest(depth, 1))).toStrictEqual(nest(depth, 1))
      expect(roundTrip(nest(depth, 7n))).toStrictEqual(nest(depth, 7n))
      let error: unknown
      try {
        redRpcCodec.encode(nest(depth, () => 1))
      } catch (err) {
        error = err
      }
      expect(error).toBeInstanceOf(CodecError)
      expect((error as CodecError).path).toMatch(/^value(\[0\]|\.d)+$/)
      expect((error as CodecError).path?.split(/\[0\]|\.d/).length).toBe(depth + 1)
    }
    // A cycle far from the root, and one whose loop is longer than the quick walk's depth.
    const far: Record<string, unknown> = {}
    const deepCycle = nest(100, far) as unknown[]
    far.back = deepCycle
    expect(() => redRpcCodec.encode(deepCycle)).toThrow(/cycle/)
  })
})

/** What a value is expected to arrive as: object properties holding undefined are left out (documented). */
function stripUndefinedProperties(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripUndefinedProperties)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, stripUndefinedProperties(v)]),
  )
}
