import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createBalancer, type Endpoint } from '../src/index.js'
import { countPicks, makeEndpoints } from './helpers.js'

const weightLists = fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 8 })

function total(weights: readonly number[]): number {
  return weights.reduce((sum, w) => sum + w, 0)
}

describe('RoundRobin gives every endpoint exactly its weight share over each cycle', () => {
  it('over sum(weights) picks, each endpoint is picked exactly weight times (property)', () => {
    fc.assert(
      fc.property(weightLists, fc.integer({ min: 1, max: 3 }), (weights, cycles) => {
        fc.pre(total(weights) > 0)
        const endpoints = makeEndpoints(weights.length, weights)
        const counts = countPicks(createBalancer('RoundRobin'), endpoints, cycles * total(weights))
        expect(endpoints.map((e) => counts.get(e.id) ?? 0)).toEqual(weights.map((w) => cycles * w))
      }),
    )
  })

  it('endpoints without a weight share equally (default weight 100)', () => {
    const counts = countPicks(createBalancer('RoundRobin'), makeEndpoints(3), 300)
    expect([...counts.values()]).toEqual([100, 100, 100])
  })
})

describe('RoundRobin interleaves picks instead of sending bursts', () => {
  it('weights 5,1,1 give the nginx sequence a a b a c a a', () => {
    const endpoints: Endpoint[] = [
      { id: 'a', weight: 5 },
      { id: 'b', weight: 1 },
      { id: 'c', weight: 1 },
    ]
    const lb = createBalancer('RoundRobin')
    const sequence = Array.from({ length: 14 }, () => lb.pick(endpoints)?.id).join(' ')
    expect(sequence).toBe('a a b a c a a a a b a c a a')
  })

  it('after any number of picks, each count is within 2 of its exact share (property)', () => {
    fc.assert(
      fc.property(weightLists, (weights) => {
        const sum = total(weights)
        fc.pre(sum > 0)
        const endpoints = makeEndpoints(weights.length, weights)
        const lb = createBalancer('RoundRobin')
        const counts = new Array<number>(weights.length).fill(0)
        for (let k = 1; k <= 2 * sum; k++) {
          const index = endpoints.indexOf(lb.pick(endpoints)!)
          counts[index]!++
          for (const [i, w] of weights.entries()) expect(Math.abs(counts[i]! - (k * w) / sum)).toBeLessThan(2)
        }
      }),
    )
  })
})

describe('RoundRobin stays fair when endpoints are added or removed', () => {
  it('after an endpoint leaves and one joins, every following cycle gives each endpoint exactly its weight (property)', () => {
    fc.assert(
      fc.property(
        weightLists,
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 0, max: 12 }),
        (weights, warmup, removeAt, addedWeight) => {
          const endpoints = makeEndpoints(weights.length, weights)
          const lb = createBalancer('RoundRobin')
          for (let i = 0; i < warmup && total(weights) > 0; i++) lb.pick(endpoints)
          const changed = endpoints.filter((_, i) => i !== removeAt % endpoints.length)
          changed.push({ id: 'newcomer', weight: addedWeight })
          const sum = total(changed.map((e) => e.weight ?? 100))
          fc.pre(sum > 0)
          for (let cycle = 0; cycle < 3; cycle++) {
            const counts = countPicks(lb, changed, sum)
            for (const e of changed) expect(counts.get(e.id) ?? 0).toBe(e.weight)
          }
        },
      ),
    )
  })

  it('a re-weighted endpoint gets its new share from the next cycle on', () => {
    const lb = createBalancer('RoundRobin')
    countPicks(lb, makeEndpoints(2, [1, 1]), 3)
    const counts = countPicks(lb, makeEndpoints(2, [3, 1]), 8)
    expect([counts.get('e0'), counts.get('e1')]).toEqual([6, 2])
  })

  it('a new array holding the same endpoints continues the sequence', () => {
    const endpoints = makeEndpoints(3, [2, 1, 1])
    const lb = createBalancer('RoundRobin')
    const first = [lb.pick(endpoints)?.id, lb.pick([...endpoints])?.id, lb.pick(endpoints.slice())?.id]
    const fresh = createBalancer('RoundRobin')
    const expected = [fresh.pick(endpoints)?.id, fresh.pick(endpoints)?.id, fresh.pick(endpoints)?.id]
    expect(first).toEqual(expected)
  })
})
