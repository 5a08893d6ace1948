import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hashTag, keyPart, keySlot, PART_SEPARATOR, unescapeKeyPart } from '../src/index.js'

/** Names made to collide: separators, escapes, braces, surrogate halves and their UTF-8 replacement, plain text. */
const hostileName = fc.string({
  minLength: 1,
  maxLength: 10,
  unit: fc.oneof(
    fc.constantFrom('%', '%2F', '{', '}', '/', ':', 'a', 'b', '\uD800', '\uDC00', '\uFFFD', '\uD83D\uDE00'),
    fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  ),
})
const anyName = fc.oneof(hostileName, fc.string({ minLength: 1, unit: 'binary' }))
const tuple = fc.array(anyName, { minLength: 1, maxLength: 4 })

/** A key as the packages build them: an escaped namespace, a constant, one hash tag. */
function inboxKey(namespace: string, parts: string[]): string {
  return `${keyPart(namespace)}:inbox:${hashTag(...parts)}`
}

/** The bytes Redis stores for a key (ioredis sends strings as UTF-8). */
function bytes(key: string): string {
  return Buffer.from(key, 'utf8').toString('hex')
}

describe('keys built from names are injective', () => {
  it('two different tuples of names never give the same key bytes', () => {
    fc.assert(
      fc.property(anyName, tuple, anyName, tuple, (ns1, t1, ns2, t2) => {
        const same = ns1 === ns2 && t1.length === t2.length && t1.every((n, i) => n === t2[i])
        expect(bytes(inboxKey(ns1, t1)) === bytes(inboxKey(ns2, t2))).toBe(same)
      }),
      { numRuns: 2_000 },
    )
  })

  it('the names can be read back from the key (a left inverse exists)', () => {
    fc.assert(
      fc.property(anyName, tuple, (ns, parts) => {
        const key = inboxKey(ns, parts)
        const open = key.indexOf('{')
        expect(unescapeKeyPart(key.slice(0, open - ':inbox:'.length))).toBe(ns)
        expect(
          key
            .slice(open + 1, -1)
            .split(PART_SEPARATOR)
            .map(unescapeKeyPart),
        ).toEqual(parts)
        // Well-formed UTF-16, so its UTF-8 bytes are injective too.
        expect(Buffer.from(key, 'utf8').toString('utf8')).toBe(key)
      }),
      { numRuns: 2_000 },
    )
  })

  it('shifting a separator between parts changes the key (issue #15: a:b + p vs a + b:p)', () => {
    expect(hashTag('a:b', 'p')).not.toBe(hashTag('a', 'b:p'))
    expect(hashTag('a/b', 'p')).not.toBe(hashTag('a', 'b/p'))
    expect(hashTag('a%2Fb')).not.toBe(hashTag('a/b'))
    expect(hashTag('\uD800')).not.toBe(hashTag('\uFFFD'))
  })

  it('a tuple never reads as the one name of its parts joined by the separator', () => {
    fc.assert(
      fc.property(fc.array(anyName, { minLength: 2, maxLength: 4 }), (parts) => {
        expect(hashTag(...parts)).not.toBe(hashTag(parts.join(PART_SEPARATOR)))
      }),
    )
  })
})

describe('keys stay readable and keep their hash tag', () => {
  it('leaves usual names as written', () => {
    expect(hashTag('billing:v2', 'provider-1.eu_west')).toBe('{billing:v2/provider-1.eu_west}')
    expect(keyPart('redrpc')).toBe('redrpc')
    expect(keyPart('naïve😀')).toBe('naïve😀')
  })

  it('escapes only what would break a key', () => {
    expect(keyPart('a{b}c/d%e')).toBe('a%7Bb%7Dc%2Fd%25e')
    expect(keyPart('x\uD800y')).toBe('x%uD800y')
  })

  it('never puts a brace inside the tag, so Redis hashes exactly the tag', () => {
    fc.assert(
      fc.property(anyName, tuple, (ns, parts) => {
        const tag = hashTag(...parts)
        expect(tag.slice(1, -1)).not.toMatch(/[{}]/)
        expect(keySlot(inboxKey(ns, parts))).toBe(keySlot(tag.slice(1, -1)))
      }),
      { numRuns: 1_000 },
    )
  })

  it('refuses an empty part: `{}` would make Redis hash the whole key', () => {
    expect(() => keyPart('')).toThrow(RangeError)
    expect(() => hashTag('a', '')).toThrow(RangeError)
    expect(() => hashTag()).toThrow(RangeError)
  })
})
