import { hashString, mix32 } from '../hash.js'
import { checkOptions, randomOption } from '../options.js'
import type { PickContext, RandomSource } from '../types.js'
import { BaseBalancer } from './BaseBalancer.js'
import { weightedDraw } from './draw.js'

const TWO_POW_32 = 2 ** 32

class HashState {
  constructor(readonly hash: number) {}
}

/**
 * Rendezvous (highest random weight) hashing on `ctx.key`: every endpoint scores `hash(key, id)` and the
 * highest wins. A key moves only when its winner leaves (about 1/N of the keys when one of N leaves) or when a
 * newcomer outscores it; unrelated changes never move it. Weighted lists score `-weight / ln(hash)`, which gives
 * each endpoint its weight's share of keys. O(N) per pick, no table to rebuild. A pick without a key is
 * weighted random.
 */
export class ConsistentHash extends BaseBalancer<HashState> {
  readonly policy = 'ConsistentHash'
  private readonly random: RandomSource

  constructor(options?: unknown) {
    const checked = checkOptions('ConsistentHash', options, ['random'])
    // Kept as a signed 32-bit integer: a small integer field, read without unboxing in the hot loop.
    super((id) => new HashState(hashString(id) | 0))
    this.random = randomOption('ConsistentHash', checked)
  }

  protected choose(ctx: PickContext | undefined): number {
    const key = ctx?.key
    if (key === undefined) return weightedDraw(this.table, ctx?.exclude, this.random)
    if (typeof key !== 'string') throw new TypeError(`ctx.key must be a string, got ${typeof key}`)
    const { weights, ids, states, uniform } = this.table
    const exclude = ctx?.exclude
    const checkExclude = exclude !== undefined && exclude.size > 0
    const keyHash = hashString(key)
    let best = -1
    let bestScore = Number.NEGATIVE_INFINITY
    for (let i = 0; i < weights.length; i++) {
      const weight = weights[i]!
      if (weight === 0 || (checkExclude && exclude.has(ids[i]!))) continue
      const hash = mix32(keyHash ^ states[i]!.hash)
      // With equal weights the raw hash orders endpoints the same as the weighted score, without a logarithm.
      const score = uniform ? hash : -weight / Math.log((hash + 0.5) / TWO_POW_32)
      if (score > bestScore) {
        bestScore = score
        best = i
      }
    }
    return best
  }
}
