import { CallAbortedError, WaitForServicesTimeoutError } from './errors.js'
import { assertName, describe } from './options.js'
import type { ServiceClient } from './ServiceClient.js'

/** Options of `redRpc.waitForServices(services, options)`. */
export interface WaitForServicesOptions {
  /** How long to wait for all of them, in ms (an integer >= 1, or `Infinity`). Default: the call timeout default. */
  timeoutMs?: number
  /** Stops waiting: the promise rejects with `CallAbortedError`. */
  signal?: AbortSignal
}

/**
 * Waits until each service has a live provider. Each service's client keeps its registry watch afterwards, so the
 * first calls find their providers at once.
 */
export async function waitForServices(
  services: readonly string[],
  options: WaitForServicesOptions,
  defaultTimeoutMs: number,
  client: (name: string) => ServiceClient,
): Promise<void> {
  if (!Array.isArray(services)) {
    throw new TypeError(`services must be an array of service names, got ${describe(services)}`)
  }
  services.forEach((name, i) => {
    assertName(name, `services[${i}]`)
  })
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object')
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs
  if (
    typeof timeoutMs !== 'number' ||
    !(timeoutMs === Number.POSITIVE_INFINITY || (Number.isInteger(timeoutMs) && timeoutMs >= 1))
  ) {
    throw new RangeError(`options.timeoutMs must be an integer >= 1 or Infinity, got ${describe(timeoutMs)}`)
  }
  const { signal } = options
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError('options.signal must be an AbortSignal')
  }
  const until = performance.now() + timeoutMs
  const names = [...new Set(services)]
  const served = await Promise.all(names.map((name) => client(name).untilServed(until, signal)))
  if (signal?.aborted) throw new CallAbortedError('waitForServices was cancelled', {}, { cause: signal.reason })
  const missing = names.filter((_, i) => !served[i])
  if (missing.length > 0) throw new WaitForServicesTimeoutError(missing, timeoutMs)
}
