/** How many first observations are plainly averaged before the fleet latency becomes an EWMA. */
const WARMUP = 20
const ALPHA = 1 / WARMUP

/**
 * The typical latency across all endpoints of one balancer: the neutral score a new endpoint starts from,
 * and the base a failure is penalised against when its endpoint has no latency of its own yet.
 */
export class FleetLatency {
  /** Current estimate in ms; 0 until the first successful request. */
  mean = 0
  private count = 0

  observe(latencyMs: number): void {
    if (this.count < WARMUP) this.count++
    const alpha = this.count < WARMUP ? 1 / this.count : ALPHA
    this.mean += (latencyMs - this.mean) * alpha
  }

  /**
   * The latency to record for a request: a failure counts as at least `penalty` times what the endpoint (or,
   * failing that, the fleet) usually takes, so an endpoint that fails fast does not look fast.
   */
  charge(latencyMs: number, ok: boolean, own: number, penalty: number): number {
    if (ok) {
      this.observe(latencyMs)
      return latencyMs
    }
    return Math.max(latencyMs, penalty * Math.max(own, this.mean))
  }
}
