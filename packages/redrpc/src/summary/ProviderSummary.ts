import type { BreakerState } from '../CircuitBreaker.js'

/**
 * What a provider's process publishes about it, about once a second (see `SummaryPublisher`). Rates are per second
 * over the last period; latencies are the handler's own time (lock wait excluded) over its last 1,024 runs.
 */
export interface ProviderSummary {
  /** Format of this record; a reader skips records of a format it does not know. */
  v: 1
  service: string
  provider: string
  /** The service's version, as registered. */
  version: string
  pid: number
  host: string
  /** Wall-clock ms (the publisher's clock) when the process started serving and when this record was written. */
  startedAt: number
  at: number
  /** How often the record is written, and the registry's heartbeat and ttl of the provider (ms). */
  intervalMs: number
  heartbeatMs: number
  ttlMs: number
  /** Calls served since the provider started: finished, failed, and running now. */
  calls: number
  errors: number
  inFlight: number
  callsPerSec: number
  errorsPerSec: number
  /** Handler time, ms; null before the first call. */
  p50: number | null
  p99: number | null
  /** Breakers of this process' callers that are not closed, by provider id (`redRpc.stats()`). */
  breakers: Record<string, BreakerState>
}

/** Parses a stored summary; undefined for anything that is not a record of a known format. */
export function parseSummary(text: string | null): ProviderSummary | undefined {
  if (text === null) return undefined
  try {
    const value = JSON.parse(text) as Partial<ProviderSummary> | null
    return value !== null && typeof value === 'object' && value.v === 1 ? (value as ProviderSummary) : undefined
  } catch {
    return undefined
  }
}
