import { describe, expect, it } from 'vitest'
import { createBalancer, seededRandom } from '../src/index.js'
import { countPicks, makeEndpoints, serve, virtualClock } from './helpers.js'

function shortest(seed = 1, windowMs = 30_000) {
  const clock = virtualClock()
  const lb = createBalancer('ShortestResponse', { random: seededRandom(seed), now: clock.now, windowMs })
  return { lb, clock }
}

describe('ShortestResponse prefers the endpoint with the shortest expected response', () => {
  it('the endpoint with the lowest recent average latency takes most requests', () => {
    const { lb, clock } = shortest()
    const endpoints = makeEndpoints(3)
    const latency = (e: { id: string }) => ({ e0: 10, e1: 40, e2: 80 })[e.id] ?? 0
    serve(lb, endpoints, 100, latency, clock, 4)
    const counts = serve(lb, endpoints, 1_000, latency, clock, 4)
    expect(counts.get('e0') ?? 0).toBeGreaterThan(700)
    expect(counts.get('e2') ?? 0).toBeLessThan(counts.get('e1') ?? 0)
  })

  it('requests in flight multiply the average: a busy fast endpoint loses to an idle slower one', () => {
    const { lb } = shortest()
    const [fast, slow] = makeEndpoints(2)
    lb.onStart(fast!)
    lb.onEnd(fast!, { latencyMs: 10, ok: true })
    lb.onStart(slow!)
    lb.onEnd(slow!, { latencyMs: 50, ok: true })
    expect(lb.pick([fast!, slow!])).toBe(fast)
    for (let k = 0; k < 5; k++) lb.onStart(fast!)
    expect(lb.pick([fast!, slow!])).toBe(slow)
  })

  it('a failure counts as slow, even if it failed fast', () => {
    const { lb, clock } = shortest()
    const endpoints = makeEndpoints(3)
    const outcome = (e: { id: string }) => (e.id === 'e0' ? { latencyMs: 1, ok: false } : { latencyMs: 10, ok: true })
    const counts = serve(lb, endpoints, 1_000, outcome, clock, 4)
    expect(counts.get('e0') ?? 0).toBeLessThan(100)
  })
})

describe('ShortestResponse only remembers a recent window', () => {
  it('an endpoint slow two windows ago is tried again', () => {
    const { lb, clock } = shortest(2, 1_000)
    const endpoints = makeEndpoints(3)
    serve(lb, endpoints, 500, (e) => (e.id === 'e0' ? 200 : 10), clock, 4)
    clock.advance(2_500)
    const counts = serve(lb, endpoints, 600, () => 10, clock, 4)
    expect(counts.get('e0') ?? 0).toBeGreaterThan(100)
  })
})

describe('ShortestResponse treats weight as capacity and breaks ties at random', () => {
  it('held requests spread in proportion to weight: 300 takes three times what 100 takes', () => {
    const { lb } = shortest(9)
    const endpoints = makeEndpoints(2, [100, 300])
    const counts = new Map<string, number>()
    for (let i = 0; i < 400; i++) {
      const e = lb.pick(endpoints)!
      lb.onStart(e)
      counts.set(e.id, (counts.get(e.id) ?? 0) + 1)
    }
    expect(Math.abs((counts.get('e1') ?? 0) - 300)).toBeLessThanOrEqual(2)
  })

  it('untried endpoints of equal weight share about equally', () => {
    const counts = countPicks(shortest(9).lb, makeEndpoints(4), 4_000)
    for (const count of counts.values()) expect(Math.abs(count - 1_000)).toBeLessThan(150)
  })
})
