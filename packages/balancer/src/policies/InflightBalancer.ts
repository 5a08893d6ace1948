import type { Endpoint, Outcome } from '../types.js'
import { BaseBalancer } from './BaseBalancer.js'

/** Per-endpoint state of the policies that count requests in flight. */
export interface InflightState {
  inflight: number
}

/** A policy that follows requests: counts them in flight and learns from how they end. */
export abstract class InflightBalancer<S extends InflightState> extends BaseBalancer<S> {
  constructor(createState: (id: string) => S) {
    // A state with requests still in flight is kept even after its endpoint left the list, so the counts stay right.
    super(createState, (state) => state.inflight > 0)
  }

  override onStart(endpoint: Endpoint): void {
    super.onStart(endpoint)
    this.table.stateOf(endpoint.id).inflight++
  }

  override onEnd(endpoint: Endpoint, outcome: Outcome): void {
    super.onEnd(endpoint, outcome)
    const state = this.table.stateOf(endpoint.id)
    // An onEnd without its onStart (e.g. the balancer was replaced mid-request) must not drive the count negative.
    if (state.inflight > 0) state.inflight--
    this.observe(state, outcome.latencyMs, outcome.ok !== false)
  }

  /** Learns from one finished request. */
  protected abstract observe(state: S, latencyMs: number, ok: boolean): void
}
