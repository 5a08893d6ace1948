import {
  assertClient,
  assertFunction,
  assertInteger,
  assertKnownKeys,
  assertName,
  assertObject,
  DEFAULT_NAMESPACE,
  describe,
  NAME_MAX_LENGTH,
  type RedisClient,
  SIMPLE_NAME,
} from '@org/redis-core'
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
  subscriber?: RedisClient
  /** Background failures (heartbeats while Redis is down, a lost provider id, a throwing listener). */
  onError?: (error: Error) => void
}

/** Options after defaults and validation. */
export interface ResolvedOptions {
  namespace: string
  heartbeatMs: number
  ttlMs: number
  resyncMs: number
  subscriber: RedisClient | undefined
  onError: (error: Error) => void
}

/** Longest accepted name (service, provider id, namespace, method). */
export { NAME_MAX_LENGTH }

/** Defaults of {@link RegistryOptions}. */
export const DEFAULTS = { namespace: DEFAULT_NAMESPACE, heartbeatMs: 1_000, ttlMs: 5_000 } as const

/** Checks a name (service, provider id, namespace, method): 1-200 characters of `[A-Za-z0-9._:-]`. */
export function validateName(value: unknown, what: string): string {
  return assertName(value, what, SIMPLE_NAME)
}

function positiveInteger(value: unknown, what: string): number {
  return assertInteger(value, what, { unit: 'milliseconds' })
}

/** Throws unless `value` is a plain object that survives JSON. */
export function validateMetadata(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined) return {}
  assertObject(value, what)
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
    throw new RangeError(`${what} must be a finite number >= 0, got ${describe(value)}`)
  }
  return value
}

/** Validates the client and options and fills in defaults. */
export function resolveOptions(redis: unknown, options: RegistryOptions = {}): ResolvedOptions {
  assertClient(redis, 'redis')
  assertObject(options, 'options')
  assertKnownKeys(options, ['namespace', 'heartbeatMs', 'ttlMs', 'resyncMs', 'subscriber', 'onError'], 'options')
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
  if (subscriber !== undefined) assertClient(subscriber, 'options.subscriber')
  const onError = assertFunction<(error: Error) => void>(options.onError ?? (() => {}), 'options.onError')
  return { namespace, heartbeatMs, ttlMs, resyncMs, subscriber, onError }
}

/** Validates a service definition and fills in defaults. */
export function validateService(input: ServiceInput): {
  name: string
  version: string
  methods: string[]
  metadata: Record<string, unknown>
} {
  assertObject(input, 'service')
  assertKnownKeys(input, ['name', 'version', 'methods', 'metadata'], 'service')
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
  assertObject(input, 'provider')
  assertKnownKeys(input, ['id', 'weight', 'metadata'], 'provider')
  const id = input.id === undefined ? undefined : validateName(input.id, 'provider.id')
  const weight = validateWeight(input.weight ?? 100, 'provider.weight')
  const metadata = validateMetadata(input.metadata, 'provider.metadata')
  return { id, weight, metadata }
}

/** Validates what `handle.update` takes. */
export function validateProviderUpdate(input: ProviderUpdate): ProviderUpdate {
  assertObject(input, 'update')
  assertKnownKeys(input, ['weight', 'metadata'], 'update')
  const out: ProviderUpdate = {}
  if (input.weight !== undefined) out.weight = validateWeight(input.weight, 'update.weight')
  if (input.metadata !== undefined) out.metadata = validateMetadata(input.metadata, 'update.metadata')
  return out
}

/** Throws unless `listener` is a function. */
export function validateListener(listener: unknown): void {
  assertFunction(listener, 'listener')
}
