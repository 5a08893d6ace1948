import { describe, expect, it } from 'vitest'
import { createBalancer, seededRandom } from '../src/index.js'
import { makeEndpoints, serve, virtualClock } from './helpers.js'

function p2c(seed = 1) {
  const clock = virtualClock()
  const lb = createBalancer('P2C', { random: seededRandom(seed), now: clock.now })
  return { lb, clock }
}

describe('P2C steers requests away from slow endpoints', () => {
  it('an endpoint 10x slower than the others gets a small fraction of the requests', () => {
    const { lb, clock } = p2c()
    const endpoints = makeEndpoints(5)
    const latency = (e: { id: string }) => (e.id === 'e0' ? 100 : 10)
    serve(lb, endpoints, 200, latency, clock, 8)
    const counts = serve(lb, endpoints, 2_000, latency, clock, 8)
    expect(counts.get('e0') ?? 0).toBeLessThan(2_000 * 0.05)
  })

  it('an endpoint that failed is treated as slow, even if it failed fast', () => {
    const { lb, clock } = p2c()
    const endpoints = makeEndpoints(4)
    const outcome = (e: { id: string }) => (e.id === 'e0' ? { latencyMs: 1, ok: false } : { latencyMs: 10, ok: true })
    const counts = serve(lb, endpoints, 2_000, outcome, clock, 8)
    expect(counts.get('e0') ?? 0).toBeLessThan(2_000 * 0.1)
  })

  it('a slow endpoint that recovered gets requests again once its old latency has decayed', () => {
    const { lb, clock } = p2c()
    const endpoints = makeEndpoints(4)
    serve(lb, endpoints, 500, (e) => (e.id === 'e0' ? 200 : 10), clock, 8)
    clock.advance(60_000)
    const counts = serve(lb, endpoints, 2_000, () => 10, clock, 8)
    expect(counts.get('e0') ?? 0).toBeGreaterThan(2_000 * 0.15)
  })
})

describe('P2C steers requests away from endpoints with many requests in flight', () => {
  it('with equal latencies, the most loaded endpoint is never chosen over an idle one', () => {
    const { lb } = p2c()
    const endpoints = makeEndpoints(4)
    for (let k = 0; k < 5; k++) lb.onStart(endpoints[0]!)
    for (let i = 0; i < 500; i++) expect(lb.pick(endpoints)).not.toBe(endpoints[0])
  })

  it('requests held in flight spread evenly over equal endpoints', () => {
    const { lb } = p2c(3)
    const endpoints = makeEndpoints(5)
    const counts = new Map<string, number>()
    for (let i = 0; i < 500; i++) {
      const e = lb.pick(endpoints)!
      lb.onStart(e)
      counts.set(e.id, (counts.get(e.id) ?? 0) + 1)
    }
    for (const endpoint of endpoints) expect(Math.abs((counts.get(endpoint.id) ?? 0) - 100)).toBeLessThanOrEqual(5)
  })
})

describe('P2C starts a new endpoint from a neutral score', () => {
  it('a newcomer among warmed-up endpoints is neither flooded nor starved', () => {
    const { lb, clock } = p2c(4)
    const endpoints = makeEndpoints(4)
    serve(lb, endpoints, 400, () => 10, clock, 8)
    const grown = [...endpoints, { id: 'newcomer' }]
    const counts = new Map<string, number>()
    for (let i = 0; i < 50; i++) {
      const e = lb.pick(grown)!
      lb.onStart(e)
      counts.set(e.id, (counts.get(e.id) ?? 0) + 1)
    }
    expect(counts.get('newcomer') ?? 0).toBeGreaterThanOrEqual(7)
    expect(counts.get('newcomer') ?? 0).toBeLessThanOrEqual(13)
  })
})

describe('P2C honours weights as capacity', () => {
  it('an endpoint of weight 300 takes about three times the held requests of one of weight 100', () => {
    const { lb } = p2c(8)
    const endpoints = makeEndpoints(2, [300, 100])
    const counts = new Map<string, number>()
    for (let i = 0; i < 400; i++) {
      const e = lb.pick(endpoints)!
      lb.onStart(e)
      counts.set(e.id, (counts.get(e.id) ?? 0) + 1)
    }
    expect(Math.abs((counts.get('e0') ?? 0) - 300)).toBeLessThanOrEqual(5)
  })
})
