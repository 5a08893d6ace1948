import { FleetLatency } from '../latency.js'
import { checkOptions, clockOption, DEFAULTS, numberOption, randomOption } from '../options.js'
import type { Clock, PickContext, RandomSource } from '../types.js'
import { randomIndex } from './draw.js'
import { InflightBalancer, type InflightState } from './InflightBalancer.js'

/** Keeps a zero latency from hiding the in-flight factor (e.g. before the first response). */
const EPSILON_MS = 1e-6

class PeakEwmaState implements InflightState {
  inflight = 0
  /** Unused: P2C reads two states per pick and never lays the list out. */
  slot = -1
  constructor(
    /** Latency estimate in ms as of `stamp`. */
    public cost: number,
    public stamp: number,
  ) {}
}

/**
 * Power of two choices over peak-EWMA latency, as Finagle and Linkerd do: draw two distinct endpoints at random
 * and take the one with the lower `latency x (in-flight + 1) / weight`. The latency estimate jumps to any
 * higher sample at once (peak) and otherwise moves toward new samples with a weight that depends on the time
 * since the last one (EWMA with time constant `decayMs`); between samples it decays toward zero, so an endpoint
 * avoided for being slow is tried again after a while. A new endpoint starts at the fleet's typical latency.
 */
export class P2C extends InflightBalancer<PeakEwmaState> {
  readonly policy = 'P2C'
  private readonly random: RandomSource
  private readonly now: Clock
  private readonly decayMs: number
  private readonly failurePenalty: number
  private readonly fleet: FleetLatency
  /** The most recent time the clock was read (by `onEnd` or a new endpoint). */
  private latest = Number.NEGATIVE_INFINITY

  constructor(options?: unknown) {
    const checked = checkOptions('P2C', options, ['random', 'now', 'decayMs', 'failurePenalty'])
    const now = clockOption('P2C', checked)
    const fleet = new FleetLatency()
    super(() => {
      const time = now()
      if (time > this.latest) this.latest = time
      return new PeakEwmaState(fleet.mean, time)
    })
    this.fleet = fleet
    this.now = now
    this.random = randomOption('P2C', checked)
    this.decayMs = numberOption('P2C', checked, 'decayMs', DEFAULTS.decayMs, 0)
    this.failurePenalty = numberOption('P2C', checked, 'failurePenalty', DEFAULTS.failurePenalty, 1)
  }

  protected choose(ctx: PickContext | undefined): number {
    const { weights, ids, scratch } = this.table
    const exclude = ctx?.exclude
    const n = weights.length
    let first: number
    let second: number
    if ((exclude === undefined || exclude.size === 0) && this.table.positive === n) {
      if (n === 1) return 0
      first = randomIndex(this.random, n)
      second = randomIndex(this.random, n - 1)
      if (second >= first) second++
    } else {
      let count = 0
      for (let i = 0; i < n; i++) {
        if (weights[i]! > 0 && !exclude?.has(ids[i]!)) scratch[count++] = i
      }
      if (count <= 1) return count === 0 ? -1 : scratch[0]!
      const a = randomIndex(this.random, count)
      let b = randomIndex(this.random, count - 1)
      if (b >= a) b++
      first = scratch[a]!
      second = scratch[b]!
    }
    return this.score(first) <= this.score(second) ? first : second
  }

  protected observe(state: PeakEwmaState, latencyMs: number, ok: boolean): void {
    const now = this.now()
    const keep = Math.exp(-Math.max(0, now - state.stamp) / this.decayMs)
    const sample = this.fleet.charge(latencyMs, ok, state.cost * keep, this.failurePenalty)
    state.cost = sample > state.cost ? sample : state.cost * keep + sample * (1 - keep)
    state.stamp = now
    if (now > this.latest) this.latest = now
  }

  /**
   * Decay toward zero multiplies every estimate by the same `exp(-now / decayMs)`, which cannot change which of
   * two endpoints scores lower: so the pick decays both to the latest `onEnd` instead of reading the clock.
   */
  private score(index: number): number {
    const state = this.table.states[index]!
    const cost = state.cost * Math.exp((state.stamp - this.latest) / this.decayMs)
    return ((cost + EPSILON_MS) * (state.inflight + 1)) / this.table.weights[index]!
  }
}
