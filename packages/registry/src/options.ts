import type { Cluster, Redis } from 'ioredis'
import type { ProviderInput, ProviderUpdate, ServiceInput } from './types.js'

/** Options of `new Registry(redis, options)`. */
export interface RegistryOptions {
  /** Prefix of every key and channel (default `'redrpc'`). Same character rules as names. */
  namespace?: string
  /** Time between two heartbeats of each provider, and between two expiry sweeps of each watch (default 1000). */
  heartbeatMs?: number
  /** A provider is dead when its last heartbeat, by the Redis clock, is this old (default 5000; > heartbeatMs). */
  ttlMs?: number
  /** Time between two full re-reads of a watched service, which heal missed messages (default ttlMs). */
  resyncMs?: number
  /** A connection for pub/sub (default: `redis.duplicate()`, closed by `close()`; one given here is left open). */
  subscriber?: Redis | Cluster
  /** Background failures (heartbeats while Redis is down, a lost provider id, a throwing listener). */
  onError?: (error: Error) => void
}

/** Options after defaults and validation. */
export interface ResolvedOptions {
  namespace: string
  heartbeatMs: number
  ttlMs: number
  resyncMs: number
  subscriber: Redis | Cluster | undefined
  onError: (error: Error) => void
}

/** Defaults of {@link RegistryOptions}. */
export const DEFAULTS = { namespace: 'redrpc', heartbeatMs: 1_000, ttlMs: 5_000 } as const

/** Longest accepted name (service, provider id, namespace, method). */
export const NAME_MAX_LENGTH = 200

// Braces are left out on purpose: a name can never break the hash tag that keeps a service's keys in one slot.
const NAME_PATTERN = /^[A-Za-z0-9._:-]+$/

/** Throws a TypeError/RangeError naming `what` unless `value` is a valid name. */
export function validateName(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string, got ${typeof value}`)
  if (value.length === 0) throw new RangeError(`${what} must not be empty`)
  if (value.length > NAME_MAX_LENGTH) {
    throw new RangeError(`${what} must be at most ${NAME_MAX_LENGTH} characters, got ${value.length}`)
  }
  if (!NAME_PATTERN.test(value)) {
    throw new RangeError(`${what} may only contain A-Z a-z 0-9 . _ : -, got ${JSON.stringify(value)}`)
  }
  return value
}

function positiveInteger(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${what} must be a positive integer (milliseconds), got ${String(value)}`)
  }
  return value
}

/** Throws unless `value` is a plain object that survives JSON. */
export function validateMetadata(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined) return {}
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${what} must be a plain object`)
  }
  try {
    JSON.stringify(value)
  } catch (err) {
    throw new TypeError(`${what} must be JSON-serializable: ${(err as Error).message}`)
  }
  return value as Record<string, unknown>
}

/** Throws unless `value` is a finite weight >= 0. */
export function validateWeight(value: unknown, what = 'weight'): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${what} must be a finite number >= 0, got ${String(value)}`)
  }
  return value
}

/** Validates the client and options and fills in defaults. */
export function resolveOptions(redis: unknown, options: RegistryOptions = {}): ResolvedOptions {
  if (typeof redis !== 'object' || redis === null || typeof (redis as Redis).evalsha !== 'function') {
    throw new TypeError('redis must be an ioredis Redis or Cluster client')
  }
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object')
  const namespace = validateName(options.namespace ?? DEFAULTS.namespace, 'options.namespace')
  const heartbeatMs = positiveInteger(options.heartbeatMs ?? DEFAULTS.heartbeatMs, 'options.heartbeatMs')
  const ttlMs = positiveInteger(options.ttlMs ?? DEFAULTS.ttlMs, 'options.ttlMs')
  if (ttlMs <= heartbeatMs) {
    throw new RangeError(
      `options.ttlMs (${ttlMs}) must be greater than options.heartbeatMs (${heartbeatMs}), or a live provider would expire between two heartbeats`,
    )
  }
  const resyncMs = positiveInteger(options.resyncMs ?? ttlMs, 'options.resyncMs')
  const subscriber = options.subscriber
  if (subscriber !== undefined && typeof (subscriber as Redis).subscribe !== 'function') {
    throw new TypeError('options.subscriber must be an ioredis Redis or Cluster client')
  }
  const onError = options.onError ?? (() => {})
  if (typeof onError !== 'function') throw new TypeError('options.onError must be a function')
  return { namespace, heartbeatMs, ttlMs, resyncMs, subscriber, onError }
}

/** Validates a service definition and fills in defaults. */
export function validateService(input: ServiceInput): {
  name: string
  version: string
  methods: string[]
  metadata: Record<string, unknown>
} {
  if (typeof input !== 'object' || input === null) throw new TypeError('service must be an object')
  const name = validateName(input.name, 'service.name')
  const version = input.version ?? '0.0.0'
  if (typeof version !== 'string' || version.length === 0 || version.length > NAME_MAX_LENGTH) {
    throw new TypeError(`service.version must be a non-empty string of at most ${NAME_MAX_LENGTH} characters`)
  }
  const methods = input.methods ?? []
  if (!Array.isArray(methods)) throw new TypeError('service.methods must be an array of method names')
  const checked = methods.map((m, i) => validateName(m, `service.methods[${i}]`))
  const metadata = validateMetadata(input.metadata, 'service.metadata')
  return { name, version, methods: checked, metadata }
}

/** Validates what `registerProvider` takes. */
export function validateProviderInput(
  input: ProviderInput | undefined,
): Required<Omit<ProviderInput, 'id'>> & { id: string | undefined } {
  if (input === undefined) return { id: undefined, weight: 100, metadata: {} }
  if (typeof input !== 'object' || input === null) throw new TypeError('provider must be an object')
  const id = input.id === undefined ? undefined : validateName(input.id, 'provider.id')
  const weight = validateWeight(input.weight ?? 100, 'provider.weight')
  const metadata = validateMetadata(input.metadata, 'provider.metadata')
  return { id, weight, metadata }
}

/** Validates what `handle.update` takes. */
export function validateProviderUpdate(input: ProviderUpdate): ProviderUpdate {
  if (typeof input !== 'object' || input === null) throw new TypeError('update must be an object')
  const out: ProviderUpdate = {}
  if (input.weight !== undefined) out.weight = validateWeight(input.weight, 'update.weight')
  if (input.metadata !== undefined) out.metadata = validateMetadata(input.metadata, 'update.metadata')
  return out
}

/** Throws unless `listener` is a function. */
export function validateListener(listener: unknown): void {
  if (typeof listener !== 'function') throw new TypeError('listener must be a function')
}
