/** What the `telemetry` option takes besides a boolean: either side alone. */
export interface TelemetryOptions {
  /** Spans for calls, handler runs and locks. Default true. */
  tracing?: boolean
  /** Durations, in flight, retries, breakers, providers, locks. Default true. */
  metrics?: boolean
}
