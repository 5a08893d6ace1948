import { checkOptions, randomOption } from '../options.js'
import type { PickContext, RandomSource } from '../types.js'
import { randomIndex } from './draw.js'
import { InflightBalancer, type InflightState } from './InflightBalancer.js'

class LeastActiveState implements InflightState {
  inflight = 0
  slot = -1
}

/** Fewest requests in flight; ties go to the highest weight, then to a uniformly random one of those. */
export class LeastActive extends InflightBalancer<LeastActiveState> {
  readonly policy = 'LeastActive'
  private readonly random: RandomSource

  constructor(options?: unknown) {
    const checked = checkOptions('LeastActive', options, ['random'])
    super(() => new LeastActiveState())
    this.random = randomOption('LeastActive', checked)
  }

  protected choose(ctx: PickContext | undefined): number {
    this.layOut()
    const { weights, ids, scratch } = this.table
    const active = this.active
    const exclude = ctx?.exclude
    const checkExclude = exclude !== undefined && exclude.size > 0
    let least = Number.POSITIVE_INFINITY
    let heaviest = 0
    let count = 0
    for (let i = 0; i < weights.length; i++) {
      // Cheapest test first: most endpoints of a busy list lose on in-flight alone.
      const inflight = active[i]!
      if (inflight > least) continue
      const weight = weights[i]!
      if (weight === 0 || (inflight === least && weight < heaviest) || (checkExclude && exclude.has(ids[i]!))) continue
      if (inflight < least || weight > heaviest) {
        least = inflight
        heaviest = weight
        scratch[0] = i
        count = 1
      } else {
        scratch[count++] = i
      }
    }
    if (count <= 1) return count === 0 ? -1 : scratch[0]!
    return scratch[randomIndex(this.random, count)]!
  }

  protected observe(): void {}
}
