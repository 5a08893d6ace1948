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
  /** Mean of both windows, or -1 when they are empty. */
  average = -1
  slot = -1

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
 * the one before; all endpoints roll together, as requests end (a pick never reads the clock). An endpoint
 * without samples in them is scored at the fleet's typical latency, so it gets tried again.
 */
export class ShortestResponse extends InflightBalancer<WindowState> {
  readonly policy = 'ShortestResponse'
  private readonly random: RandomSource
  private readonly now: Clock
  private readonly windowMs: number
  private readonly failurePenalty: number
  private readonly fleet = new FleetLatency()
  private windowStart: number
  /** Precomputed part of each endpoint's score, by position in the current list: see `baseScore`. */
  private base = new Float64Array(0)

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
    this.layOut()
    const table = this.table
    const { inverseWeights, ids, scratch, uniform } = table
    const { base, active } = this
    const exclude = ctx?.exclude
    const checkExclude = exclude !== undefined && exclude.size > 0
    const neutral = this.fleet.mean + EPSILON_MS
    // Not Infinity: a weight-0 endpoint scores Infinity and must never tie with "nothing found yet".
    let best = Number.MAX_VALUE
    let count = 0
    for (let i = 0; i < base.length; i++) {
      let score = base[i]!
      if (score < 0) score = neutral * inverseWeights[i]!
      score *= active[i]! + 1
      if (score > best || (checkExclude && exclude.has(ids[i]!))) continue
      if (score < best) {
        best = score
        scratch[0] = i
        count = 1
      } else {
        scratch[count++] = i
      }
    }
    if (count <= 1) return count === 0 ? -1 : scratch[0]!
    if (uniform) return scratch[randomIndex(this.random, count)]!
    return weightedDrawAmong(scratch, count, table.weights, this.random)
  }

  protected observe(state: WindowState, latencyMs: number, ok: boolean): void {
    this.rollIfDue(this.now())
    const own = Math.max(0, state.average)
    state.add(this.fleet.charge(latencyMs, ok, own, this.failurePenalty))
    if (state.slot >= 0) this.base[state.slot] = this.baseScore(state.slot)
  }

  /**
   * `base[i]` is `(average + epsilon) / weight` of the i-th endpoint, so that a pick only multiplies it by
   * in-flight + 1: -1 when it has no average yet (scored at the fleet's latency), +Infinity when its weight is 0.
   */
  private baseScore(slot: number): number {
    const inverse = this.table.inverseWeights[slot]!
    if (inverse === 0) return Number.POSITIVE_INFINITY
    const average = this.table.states[slot]!.average
    return average < 0 ? -1 : (average + EPSILON_MS) * inverse
  }

  protected override afterLayout(states: readonly WindowState[]): void {
    if (this.base.length !== states.length) this.base = new Float64Array(states.length)
    for (let i = 0; i < states.length; i++) this.base[i] = this.baseScore(i)
  }

  private rollIfDue(now: number): void {
    const age = now - this.windowStart
    if (age < this.windowMs) return
    const gap = age >= 2 * this.windowMs
    this.windowStart = gap ? now : this.windowStart + this.windowMs
    for (const state of this.table.allStates()) state.roll(gap)
    this.invalidateLayout()
  }
}
