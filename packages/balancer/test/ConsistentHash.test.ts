import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createBalancer, type Endpoint } from '../src/index.js'
import { makeEndpoints } from './helpers.js'

const KEYS = Array.from({ length: 20_000 }, (_, i) => `key-${i}`)

/** Where each key goes with this list, by a fresh balancer (the policy keeps no per-key state). */
function assign(endpoints: readonly Endpoint[], exclude?: ReadonlySet<string>): string[] {
  const lb = createBalancer('ConsistentHash')
  return KEYS.map((key) => lb.pick(endpoints, { key, exclude })!.id)
}

const uniqueIds = (min: number, max: number) =>
  fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: min, maxLength: max })

describe('ConsistentHash moves few keys when an endpoint leaves', () => {
  it('removing one of N endpoints moves at most 1.2/N of the keys, and only its own (property)', () => {
    fc.assert(
      fc.property(
        uniqueIds(2, 20).chain((ids) => fc.tuple(fc.constant(ids), fc.nat(ids.length - 1))),
        ([ids, leaving]) => {
          const endpoints = ids.map((id) => ({ id }))
          const before = assign(endpoints)
          const after = assign(endpoints.filter((_, i) => i !== leaving))
          let moved = 0
          for (let k = 0; k < KEYS.length; k++) {
            if (before[k] === after[k]) continue
            moved++
            expect(before[k]).toBe(ids[leaving])
          }
          expect(moved / KEYS.length).toBeLessThanOrEqual(1.2 / ids.length)
        },
      ),
      { numRuns: 25 },
    )
  })
})

describe('ConsistentHash keeps a key where it is when unrelated endpoints change', () => {
  it('adding an endpoint only moves keys to the newcomer, about 1/(N+1) of them (property)', () => {
    fc.assert(
      fc.property(uniqueIds(1, 15), fc.string({ minLength: 1, maxLength: 12 }), (ids, newcomer) => {
        fc.pre(!ids.includes(newcomer))
        const endpoints = ids.map((id) => ({ id }))
        const before = assign(endpoints)
        const after = assign([...endpoints, { id: newcomer }])
        let moved = 0
        for (let k = 0; k < KEYS.length; k++) {
          if (before[k] === after[k]) continue
          moved++
          expect(after[k]).toBe(newcomer)
        }
        expect(moved / KEYS.length).toBeLessThanOrEqual(1.2 / (ids.length + 1))
      }),
      { numRuns: 25 },
    )
  })

  it('the order of the list does not matter', () => {
    const endpoints = makeEndpoints(8)
    expect(assign([...endpoints].reverse())).toEqual(assign(endpoints))
  })

  it('a retry that excludes a key’s endpoint lands where the key would go if that endpoint left', () => {
    const endpoints = makeEndpoints(6)
    const lb = createBalancer('ConsistentHash')
    for (const key of KEYS.slice(0, 500)) {
      const first = lb.pick(endpoints, { key })!
      const retry = lb.pick(endpoints, { key, exclude: new Set([first.id]) })
      expect(retry).toBe(
        lb.pick(
          endpoints.filter((e) => e !== first),
          { key },
        ),
      )
    }
  })
})

describe('ConsistentHash spreads keys by weight', () => {
  it('equal endpoints get about equal shares', () => {
    const counts = new Map<string, number>()
    for (const id of assign(makeEndpoints(10))) counts.set(id, (counts.get(id) ?? 0) + 1)
    for (const count of counts.values()) expect(Math.abs(count - 2_000)).toBeLessThan(250)
  })

  it('an endpoint of weight 300 gets about three times the keys of one of weight 100', () => {
    const counts = new Map<string, number>()
    for (const id of assign(makeEndpoints(3, [300, 100, 100]))) counts.set(id, (counts.get(id) ?? 0) + 1)
    expect(Math.abs((counts.get('e0') ?? 0) / KEYS.length - 0.6)).toBeLessThan(0.02)
    expect(counts.get('e1')! + counts.get('e2')!).toBe(KEYS.length - counts.get('e0')!)
  })

  it('a key given as something other than a string is a TypeError', () => {
    const lb = createBalancer('ConsistentHash')
    expect(() => lb.pick(makeEndpoints(2), { key: 42 as unknown as string })).toThrow(/ctx\.key must be a string/)
  })
})
