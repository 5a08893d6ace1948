import type { RequestEntry } from './wire.js'

/** One call of a client, from `request()` until it settles. */
export interface Call {
  /** Its `timeLeftMs` is set when the request is written. */
  readonly entry: RequestEntry
  readonly inbox: string
  readonly cancels: string
  /** `service.method on provider`, for messages. */
  readonly where: string
  readonly timeoutMs: number
  /** On `performance.now()`'s clock. */
  readonly deadline: number
  readonly signal: AbortSignal | undefined
  readonly resolve: (value: unknown) => void
  readonly reject: (error: Error) => void
  timer: NodeJS.Timeout | undefined
  onAbort: (() => void) | undefined
  /** The request was handed to Redis (from then on it may run). */
  sent: boolean
  settled: boolean
}
