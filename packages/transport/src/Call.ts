import type { Timed } from '@org/redis-core'
import type { RequestEntry } from './wire.js'

/**
 * One call of a client, from `request()` until it settles. It is its own request record and its own deadline entry,
 * so a call costs one object; its `timeLeftMs` is set when the request is written.
 */
export interface Call extends RequestEntry, Timed {
  readonly service: string
  readonly providerId: string
  readonly inbox: string
  readonly timeoutMs: number
  readonly signal: AbortSignal | undefined
  readonly resolve: (value: unknown) => void
  readonly reject: (error: Error) => void
  onAbort: (() => void) | undefined
  /** The request was handed to Redis (from then on it may run). */
  sent: boolean
  settled: boolean
}

/** `service.method on provider` of a call or a request, for messages; built only when a message needs it. */
export function where(at: { service: string; method: string; providerId: string }): string {
  return `${at.service}.${at.method} on ${at.providerId}`
}
