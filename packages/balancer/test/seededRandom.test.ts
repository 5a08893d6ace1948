import { describe, expect, it } from 'vitest'
import { seededRandom } from '../src/index.js'

describe('seededRandom is a reproducible uniform source', () => {
  it('the same seed gives the same sequence, another seed another one', () => {
    const take = (seed: number) => {
      const random = seededRandom(seed)
      return Array.from({ length: 5 }, () => random())
    }
    expect(take(1)).toEqual(take(1))
    expect(take(1)).not.toEqual(take(2))
  })

  it('draws fall in [0, 1) and fill ten buckets evenly', () => {
    const random = seededRandom(3)
    const buckets = new Array<number>(10).fill(0)
    for (let i = 0; i < 100_000; i++) {
      const value = random()
      expect(value >= 0 && value < 1).toBe(true)
      buckets[Math.floor(value * 10)]!++
    }
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(500)
  })

  it('rejects a non-finite seed', () => {
    expect(() => seededRandom(Number.NaN)).toThrow(RangeError)
  })
})
