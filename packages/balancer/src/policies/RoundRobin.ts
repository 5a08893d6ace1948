import { checkOptions } from '../options.js'
import type { PickContext } from '../types.js'
import { BaseBalancer } from './BaseBalancer.js'

class RoundRobinState {
  current = 0
}

/**
 * Smooth weighted round robin, as nginx does it: each pick adds every endpoint's weight to its running score,
 * takes the highest and subtracts the total from it. Over a cycle of `sum(weights)` picks each endpoint gets
 * exactly its weight's share, spread out rather than in bursts (5,1,1 gives a a b a c a a).
 *
 * When endpoints are added, removed or re-weighted, all scores restart from zero: scores carried over from the
 * old list could starve an endpoint for many picks (e.g. one just picked while a heavy endpoint was present),
 * whereas restarting makes every cycle after the change exact again. The same endpoints in a new array, or
 * picks that `exclude` some, keep the sequence going.
 */
export class RoundRobin extends BaseBalancer<RoundRobinState> {
  readonly policy = 'RoundRobin'
  private generation = -1

  constructor(options?: unknown) {
    checkOptions('RoundRobin', options, [])
    super(() => new RoundRobinState())
  }

  protected choose(ctx: PickContext | undefined): number {
    const { weights, ids, states, generation } = this.table
    if (generation !== this.generation) {
      this.generation = generation
      for (const state of states) state.current = 0
    }
    const exclude = ctx?.exclude
    const checkExclude = exclude !== undefined && exclude.size > 0
    let total = 0
    let best = -1
    let bestScore = Number.NEGATIVE_INFINITY
    for (let i = 0; i < weights.length; i++) {
      const weight = weights[i]!
      if (weight === 0 || (checkExclude && exclude.has(ids[i]!))) continue
      const state = states[i]!
      const score = state.current + weight
      state.current = score
      total += weight
      if (score > bestScore) {
        bestScore = score
        best = i
      }
    }
    if (best >= 0) states[best]!.current -= total
    return best
  }
}
