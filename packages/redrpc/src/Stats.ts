import type { BreakerState } from './CircuitBreaker.js'

/** Counters and latency percentiles of one service or one provider, as seen by the callers of this process. */
export interface CallStats {
  /** Calls finished (ok or not). */
  calls: number
  /** Calls that ended in an error. */
  errors: number
  /** Calls started and not yet finished. */
  inFlight: number
  /** Median latency of the last calls, in ms (0 when none). */
  p50: number
  /** 99th percentile latency of the last calls, in ms (0 when none). */
  p99: number
}

/** One provider's stats, with its breaker state. */
export interface ProviderStats extends CallStats {
  breaker: BreakerState
}

/** One service's stats, with each provider's. */
export interface ServiceStats extends CallStats {
  providers: Record<string, ProviderStats>
}

/** What `redRpc.stats()` returns. */
export interface StatsSnapshot {
  services: Record<string, ServiceStats>
  /** Calls handled by the providers of this process, per provider id. */
  served: Record<string, { calls: number; errors: number; inFlight: number }>
}

const WINDOW = 1024

/** Counts calls: finished, failed and in flight. What a provider keeps of the calls it serves. */
export class CallCounter {
  calls = 0
  errors = 0
  inFlight = 0

  /** A call begins. */
  start(): void {
    this.inFlight++
  }

  /** A call ends. */
  finish(ok: boolean): void {
    this.inFlight--
    this.calls++
    if (!ok) this.errors++
  }
}

/** Counts calls and keeps the latencies of the last 1,024 in a ring, so percentiles follow recent behaviour. */
export class CallRecorder extends CallCounter {
  readonly #latencies = new Float64Array(WINDOW)
  #next = 0
  #filled = 0

  /** A call ends, after `latencyMs`. */
  end(latencyMs: number, ok: boolean): void {
    this.finish(ok)
    this.#latencies[this.#next] = latencyMs
    this.#next = (this.#next + 1) % WINDOW
    if (this.#filled < WINDOW) this.#filled++
  }

  /** The counters and p50/p99 now. */
  snapshot(): CallStats {
    const sorted = this.#latencies.slice(0, this.#filled).sort()
    const at = (q: number) =>
      sorted.length === 0 ? 0 : round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0)
    return { calls: this.calls, errors: this.errors, inFlight: this.inFlight, p50: at(0.5), p99: at(0.99) }
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000
}
