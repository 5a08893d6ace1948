/** The live-summary option of `new RedRpc(rlock, [redis], options)`. */
export interface SummaryOptions {
  /**
   * How often each local provider's live summary is written to Redis (`<ns>:{<service>}:summary:<provider>`, read by
   * `redrpc top` and `redrpc dashboard`); 0 writes none. Default 1,000 ms; at least 100.
   */
  summaryMs?: number
}

/** Default period of the live summaries (ms). */
export const DEFAULT_SUMMARY_MS = 1_000

/** The summary period from the options, checked before anything reaches Redis. */
export function resolveSummaryMs(options: SummaryOptions | undefined): number {
  const value = options?.summaryMs ?? DEFAULT_SUMMARY_MS
  if (!Number.isInteger(value) || (value !== 0 && value < 100)) {
    throw new RangeError(`options.summaryMs must be 0 (off) or an integer >= 100, got ${String(value)}`)
  }
  return value
}
