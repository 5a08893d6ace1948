import { InvalidEndpointError } from './errors.js'
import type { Endpoint, Outcome } from './types.js'

/** Weight of an endpoint that does not say. */
export const DEFAULT_WEIGHT = 100

/** Returns the id of `endpoint`, or throws naming its position when it has no usable one. */
export function endpointId(endpoint: Endpoint, index: number): string {
  if (typeof endpoint !== 'object' || endpoint === null) {
    throw new TypeError(`endpoints[${index}] must be an object with a string id, got ${endpoint}`)
  }
  const id = endpoint.id
  if (typeof id !== 'string') throw new TypeError(`endpoints[${index}].id must be a string, got ${typeof id}`)
  if (id.length === 0) throw new InvalidEndpointError(index, 'id must not be empty')
  return id
}

/** Returns the weight of `endpoint` (default 100), or throws when it is not a finite number >= 0. */
export function endpointWeight(endpoint: Endpoint, index: number): number {
  const weight = endpoint.weight
  if (weight === undefined) return DEFAULT_WEIGHT
  if (typeof weight !== 'number') {
    throw new TypeError(`endpoints[${index}].weight must be a number, got ${typeof weight}`)
  }
  if (!Number.isFinite(weight) || weight < 0) {
    throw new InvalidEndpointError(index, `weight must be a finite number >= 0, got ${weight} (id '${endpoint.id}')`)
  }
  return weight
}

/** Throws a TypeError unless `endpoint` is an object with a string id: the guard of `onStart` / `onEnd`. */
export function assertEndpoint(endpoint: Endpoint, what: string): void {
  if (typeof endpoint !== 'object' || endpoint === null || typeof endpoint.id !== 'string') {
    throw new TypeError(`${what}: endpoint must be an object with a string id`)
  }
}

/** Throws a RangeError unless `outcome.latencyMs` is a finite number >= 0: the guard of `onEnd`. */
export function assertOutcome(outcome: Outcome): void {
  const latencyMs = outcome?.latencyMs
  if (typeof latencyMs !== 'number' || !(latencyMs >= 0 && latencyMs < Number.POSITIVE_INFINITY)) {
    throw new RangeError(`onEnd: outcome.latencyMs must be a finite number >= 0, got ${latencyMs}`)
  }
}
