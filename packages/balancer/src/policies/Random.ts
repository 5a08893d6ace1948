import { checkOptions, randomOption } from '../options.js'
import type { PickContext, RandomSource } from '../types.js'
import { BaseBalancer } from './BaseBalancer.js'
import { weightedDraw } from './draw.js'

/** Weighted random: each endpoint is drawn with probability weight / total, independently of the past. */
export class Random extends BaseBalancer<null> {
  readonly policy = 'Random'
  private readonly random: RandomSource

  constructor(options?: unknown) {
    const checked = checkOptions('Random', options, ['random'])
    super(() => null)
    this.random = randomOption('Random', checked)
  }

  protected choose(ctx: PickContext | undefined): number {
    return weightedDraw(this.table, ctx?.exclude, this.random)
  }
}
