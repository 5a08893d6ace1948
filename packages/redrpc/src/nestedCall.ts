import { CallTimeoutError } from './errors.js'
import { assertCallOptions, type CallOptions } from './options.js'
import type { ServiceRef } from './RedRpc.js'

/** How a provider's context reaches the callers of its `RedRpc` (`getInstance(service).callApi(...)`). */
export type Caller = (service: string, method: string, params: unknown, options: CallOptions) => Promise<unknown>

/** What a nested call takes from the call it is part of. */
interface OuterCall {
  readonly deadline: number
  readonly signal: AbortSignal
  readonly metadata: Readonly<Record<string, unknown>>
}

/**
 * `ctx.call(...)`: a call made by a handler on behalf of its own caller. It may not outlive the outer call: its
 * `timeoutMs` is capped by the time left, and the outer signal (deadline, cancellation, lost lock) cancels it,
 * retries included. The outer metadata travels on, so a trace id or a tenant set by the first caller reaches every
 * service down the chain.
 */
export async function nestedCall(
  caller: Caller,
  outer: OuterCall,
  service: string | ServiceRef,
  method: string,
  params: unknown,
  options: CallOptions = {},
): Promise<never> {
  assertCallOptions(options)
  const name = typeof service === 'object' && service !== null ? service.name : service
  const left = Math.floor(outer.deadline - performance.now())
  if (left < 1) {
    const cause = new Error('the outer call has no time left')
    throw new CallTimeoutError({ service: name, method }, 0, { cause })
  }
  const nested: CallOptions = { ...options, timeoutMs: Math.min(options.timeoutMs ?? left, left) }
  nested.signal = options.signal ? AbortSignal.any([outer.signal, options.signal]) : outer.signal
  const metadata = options.metadata ? { ...outer.metadata, ...options.metadata } : outer.metadata
  if (Object.keys(metadata).length > 0) nested.metadata = metadata
  else delete nested.metadata
  return (await caller(name, method, params, nested)) as never
}
