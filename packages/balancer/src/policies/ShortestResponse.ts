import { FleetLatency } from '../latency.js'
import { checkOptions, clockOption, DEFAULTS, numberOption, randomOption } from '../options.js'
import type { Clock, PickContext, RandomSource } from '../types.js'
import { randomIndex, weightedDrawAmong } from './draw.js'
import { InflightBalancer, type InflightState } from './InflightBalancer.js'

const EPSILON_MS = 1e-6

/** Latencies of the current window and the one before: their union is the "recent" average. */
class WindowState implements InflightState {
  inflight = 0
  sum = 0
  count = 0
  previousSum = 0
  previousCount = 0
  /** Mean of both windows, or -1 when they are empty; kept up to date so a pick only reads it. */
  average = -1

  add(latencyMs: number): void {
    this.sum += latencyMs
    this.count++
    this.average = (this.sum + this.previousSum) / (this.count + this.previousCount)
  }

  /** Starts a new window; `gap` says the previous one is too old to count either. */
  roll(gap: boolean): void {
    this.previousSum = gap ? 0 : this.sum
    this.previousCount = gap ? 0 : this.count
    this.sum = 0
    this.count = 0
    this.average = this.previousCount === 0 ? -1 : this.previousSum / this.previousCount
  }
}

/**
 * Shortest expected response, as Dubbo's: each endpoint is scored `recent average latency x (in-flight + 1) /
 * weight` and the lowest wins; ties are weighted random. "Recent" means the current window of `windowMs` and
 * the one before (all endpoints roll together); an endpoint without samples in them is scored at the fleet's
 * typical latency, so it gets tried again.
 */
export class ShortestResponse extends InflightBalancer<WindowState> {
  readonly policy = 'ShortestResponse'
  private readonly random: RandomSource
  private readonly now: Clock
  private readonly windowMs: number
  private readonly failurePenalty: number
  private readonly fleet = new FleetLatency()
  private windowStart: number

  constructor(options?: unknown) {
    const checked = checkOptions('ShortestResponse', options, ['random', 'now', 'windowMs', 'failurePenalty'])
    super(() => new WindowState())
    this.now = clockOption('ShortestResponse', checked)
    this.random = randomOption('ShortestResponse', checked)
    this.windowMs = numberOption('ShortestResponse', checked, 'windowMs', DEFAULTS.windowMs, 0)
    this.failurePenalty = numberOption('ShortestResponse', checked, 'failurePenalty', DEFAULTS.failurePenalty, 1)
    this.windowStart = this.now()
  }

  protected choose(ctx: PickContext | undefined): number {
    this.rollIfDue(this.now())
    const { weights, inverseWeights, ids, states, scratch, uniform } = this.table
    const exclude = ctx?.exclude
    const checkExclude = exclude !== undefined && exclude.size > 0
    const neutral = this.fleet.mean
    let best = Number.POSITIVE_INFINITY
    let count = 0
    for (let i = 0; i < weights.length; i++) {
      const weight = weights[i]!
      if (weight === 0 || (checkExclude && exclude.has(ids[i]!))) continue
      const state = states[i]!
      const average = state.average
      const score = ((average < 0 ? neutral : average) + EPSILON_MS) * (state.inflight + 1) * inverseWeights[i]!
      if (score < best) {
        best = score
        scratch[0] = i
        count = 1
      } else if (score === best) {
        scratch[count++] = i
      }
    }
    if (count <= 1) return count === 0 ? -1 : scratch[0]!
    if (uniform) return scratch[randomIndex(this.random, count)]!
    return weightedDrawAmong(scratch, count, weights, this.random)
  }

  protected observe(state: WindowState, latencyMs: number, ok: boolean): void {
    this.rollIfDue(this.now())
    const own = Math.max(0, state.average)
    state.add(this.fleet.charge(latencyMs, ok, own, this.failurePenalty))
  }

  private rollIfDue(now: number): void {
    const age = now - this.windowStart
    if (age < this.windowMs) return
    const gap = age >= 2 * this.windowMs
    this.windowStart = gap ? now : this.windowStart + this.windowMs
    for (const state of this.table.allStates()) state.roll(gap)
  }
}
