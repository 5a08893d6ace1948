import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createBalancer, seededRandom } from '../src/index.js'
import { countPicks, makeEndpoints } from './helpers.js'

/** Each count lies within 5 standard deviations of its binomial expectation (plus 1 for tiny samples). */
function expectShares(
  counts: Map<string, number>,
  weights: readonly number[],
  picks: number,
  excluded = new Set<string>(),
) {
  const total = weights.reduce((sum, w, i) => (excluded.has(`e${i}`) ? sum : sum + w), 0)
  weights.forEach((weight, i) => {
    const p = excluded.has(`e${i}`) ? 0 : weight / total
    const sd = Math.sqrt(picks * p * (1 - p))
    expect(Math.abs((counts.get(`e${i}`) ?? 0) - picks * p)).toBeLessThanOrEqual(5 * sd + 1)
  })
}

describe('Random draws each endpoint in proportion to its weight', () => {
  it('shares stay within statistical bounds for any weights and seed (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 10 }),
        fc.integer(),
        (weights, seed) => {
          fc.pre(weights.some((w) => w > 0))
          const picks = 4_000
          const lb = createBalancer('Random', { random: seededRandom(seed) })
          expectShares(countPicks(lb, makeEndpoints(weights.length, weights), picks), weights, picks)
        },
      ),
      { numRuns: 50 },
    )
  })

  it('with exclusions, the remaining endpoints share in proportion to their weights', () => {
    const weights = [10, 30, 60, 100]
    const exclude = new Set(['e3'])
    const picks = 20_000
    const lb = createBalancer('Random', { random: seededRandom(11) })
    expectShares(countPicks(lb, makeEndpoints(4, weights), picks, { exclude }), weights, picks, exclude)
  })

  it('the same seed gives the same picks', () => {
    const endpoints = makeEndpoints(5)
    const run = () => {
      const lb = createBalancer('Random', { random: seededRandom(99) })
      return Array.from({ length: 20 }, () => lb.pick(endpoints)?.id)
    }
    expect(run()).toEqual(run())
  })
})
