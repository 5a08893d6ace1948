import type { Endpoint, Outcome } from '../types.js'
import { BaseBalancer } from './BaseBalancer.js'

/** Per-endpoint state of the policies that count requests in flight. */
export interface InflightState {
  inflight: number
  /** Position in the current list, or -1 when the endpoint is not in it (see `InflightBalancer.layOut`). */
  slot: number
}

/**
 * A policy that follows requests: counts them in flight and learns from how they end.
 *
 * Policies that scan every endpoint on each pick read the in-flight counts from `active`, a typed array laid
 * out in list order, rather than from each state object: a tight loop over one array is several times faster
 * at a hundred endpoints. `onStart` / `onEnd` keep both in step through the state's `slot`.
 */
export abstract class InflightBalancer<S extends InflightState> extends BaseBalancer<S> {
  /** `active[i]` is the in-flight count of the i-th endpoint of the current list (after `layOut`). */
  protected active = new Int32Array(0)
  private layout = -1
  private laidOut: readonly S[] = []

  constructor(createState: (id: string) => S) {
    // A state with requests still in flight is kept even after its endpoint left the list, so the counts stay right.
    super(createState, (state) => state.inflight > 0)
  }

  override onStart(endpoint: Endpoint): void {
    super.onStart(endpoint)
    const state = this.table.stateOf(endpoint.id)
    state.inflight++
    if (state.slot >= 0) this.active[state.slot]! += 1
  }

  override onEnd(endpoint: Endpoint, outcome: Outcome): void {
    super.onEnd(endpoint, outcome)
    const state = this.table.stateOf(endpoint.id)
    // An onEnd without its onStart (e.g. the balancer was replaced mid-request) must not drive the count negative.
    if (state.inflight > 0) {
      state.inflight--
      if (state.slot >= 0) this.active[state.slot]! -= 1
    }
    this.observe(state, outcome.latencyMs, outcome.ok !== false)
  }

  /** Lays `active` (and the subclass's own arrays, through `afterLayout`) out for the current list if it changed. */
  protected layOut(): void {
    const table = this.table
    if (table.generation === this.layout) return
    for (const state of this.laidOut) state.slot = -1
    const states = table.states
    this.laidOut = states
    this.layout = table.generation
    if (this.active.length !== states.length) this.active = new Int32Array(states.length)
    for (let i = 0; i < states.length; i++) {
      const state = states[i]!
      state.slot = i
      this.active[i] = state.inflight
    }
    this.afterLayout(states)
  }

  /** Forces the next `layOut` to run, e.g. after every state changed at once. */
  protected invalidateLayout(): void {
    this.layout = -1
  }

  /** Called by `layOut` once slots are assigned, for arrays of the subclass's own. */
  protected afterLayout(_states: readonly S[]): void {}

  /** Learns from one finished request. */
  protected abstract observe(state: S, latencyMs: number, ok: boolean): void
}
