import { hashString, mix32 } from '../hash.js'
import { checkOptions, randomOption } from '../options.js'
import type { PickContext, RandomSource } from '../types.js'
import { BaseBalancer } from './BaseBalancer.js'
import { weightedDraw } from './draw.js'

const TWO_POW_32 = 2 ** 32

/**
 * Rendezvous (highest random weight) hashing on `ctx.key`: every endpoint scores `hash(key, id)` and the
 * highest wins. A key moves only when its winner leaves (about 1/N of the keys when one of N leaves) or when a
 * newcomer outscores it; unrelated changes never move it. Weighted lists score `-weight / ln(hash)`, which gives
 * each endpoint its weight's share of keys. O(N) per pick, no table to rebuild. A pick without a key is
 * weighted random.
 */
export class ConsistentHash extends BaseBalancer<null> {
  readonly policy = 'ConsistentHash'
  private readonly random: RandomSource
  /** `hashes[i]` is the hash of the i-th endpoint's id, laid out for the table generation `layout`. */
  private hashes = new Int32Array(0)
  private layout = -1

  constructor(options?: unknown) {
    const checked = checkOptions('ConsistentHash', options, ['random'])
    super(() => null)
    this.random = randomOption('ConsistentHash', checked)
  }

  protected choose(ctx: PickContext | undefined): number {
    const key = ctx?.key
    if (key === undefined) return weightedDraw(this.table, ctx?.exclude, this.random)
    if (typeof key !== 'string') throw new TypeError(`ctx.key must be a string, got ${typeof key}`)
    const table = this.table
    if (table.generation !== this.layout) this.relayout()
    const { weights, ids, uniform } = table
    const hashes = this.hashes
    const exclude = ctx?.exclude
    const checkExclude = exclude !== undefined && exclude.size > 0
    const keyHash = hashString(key)
    let best = -1
    let bestScore = Number.NEGATIVE_INFINITY
    for (let i = 0; i < hashes.length; i++) {
      // A signed 32-bit score orders endpoints as uniformly as the unsigned one, and stays a small integer.
      const hash = mix32(keyHash ^ hashes[i]!) | 0
      const weight = weights[i]!
      // With equal weights the raw hash orders endpoints the same as the weighted score, without a logarithm.
      const score = uniform ? hash : -weight / Math.log(((hash >>> 0) + 0.5) / TWO_POW_32)
      if (score <= bestScore || weight === 0 || (checkExclude && exclude.has(ids[i]!))) continue
      bestScore = score
      best = i
    }
    return best
  }

  private relayout(): void {
    const ids = this.table.ids
    this.hashes = Int32Array.from(ids, hashString)
    this.layout = this.table.generation
  }
}
