import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createBalancer, seededRandom } from '../src/index.js'
import { countPicks, makeEndpoints } from './helpers.js'

describe('LeastActive sends each request to the endpoint with the fewest requests in flight', () => {
  it('the pick has the fewest in flight, and among those the highest weight (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ inflight: fc.nat(4), weight: fc.integer({ min: 1, max: 3 }) }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.integer(),
        (specs, seed) => {
          const endpoints = makeEndpoints(
            specs.length,
            specs.map((s) => s.weight),
          )
          const lb = createBalancer('LeastActive', { random: seededRandom(seed) })
          specs.forEach((spec, i) => {
            for (let k = 0; k < spec.inflight; k++) lb.onStart(endpoints[i]!)
          })
          const least = Math.min(...specs.map((s) => s.inflight))
          const heaviest = Math.max(...specs.filter((s) => s.inflight === least).map((s) => s.weight))
          const pick = lb.pick(endpoints)!
          const spec = specs[endpoints.indexOf(pick)]!
          expect(spec.inflight).toBe(least)
          expect(spec.weight).toBe(heaviest)
        },
      ),
    )
  })

  it('a request that ends frees its endpoint again', () => {
    const endpoints = makeEndpoints(2)
    const lb = createBalancer('LeastActive')
    lb.onStart(endpoints[0]!)
    lb.onStart(endpoints[0]!)
    lb.onStart(endpoints[1]!)
    expect(lb.pick(endpoints)).toBe(endpoints[1])
    lb.onEnd(endpoints[0]!, { latencyMs: 3, ok: true })
    lb.onEnd(endpoints[0]!, { latencyMs: 3, ok: false })
    expect(lb.pick(endpoints)).toBe(endpoints[0])
  })

  it('an onEnd without its onStart does not make an endpoint look emptier than idle', () => {
    const endpoints = makeEndpoints(2)
    const lb = createBalancer('LeastActive', { random: seededRandom(1) })
    lb.onEnd(endpoints[0]!, { latencyMs: 1, ok: true })
    lb.onEnd(endpoints[0]!, { latencyMs: 1, ok: true })
    lb.onStart(endpoints[0]!)
    expect(lb.pick(endpoints)).toBe(endpoints[1])
  })

  it('in-flight counts survive the list changing, and requests ending after their endpoint left', () => {
    const [a, b, c] = makeEndpoints(3)
    const lb = createBalancer('LeastActive', { random: seededRandom(2) })
    lb.pick([a!, b!])
    lb.onStart(a!)
    lb.onStart(a!)
    lb.onStart(b!)
    expect(lb.pick([a!, b!, c!])).toBe(c)
    lb.onStart(c!)
    lb.onEnd(b!, { latencyMs: 1, ok: true })
    expect(lb.pick([c!, b!, a!])).toBe(b)
    // a leaves with two requests in flight, which end while it is away; when it returns it is idle again.
    expect(lb.pick([b!, c!])).not.toBe(a)
    lb.onEnd(a!, { latencyMs: 1, ok: true })
    lb.onEnd(a!, { latencyMs: 1, ok: true })
    lb.onStart(b!)
    expect(lb.pick([a!, b!, c!])).toBe(a)
  })

  it('ties are broken at random, so idle endpoints of equal weight all get work', () => {
    const endpoints = makeEndpoints(5)
    const counts = countPicks(createBalancer('LeastActive', { random: seededRandom(5) }), endpoints, 5_000)
    for (const endpoint of endpoints) expect(counts.get(endpoint.id)).toBeGreaterThan(800)
  })
})
