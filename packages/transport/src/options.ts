import {
  assertFunction,
  assertInteger,
  assertKnownKeys,
  assertName,
  assertObject,
  assertTimeout,
  DEFAULT_NAMESPACE,
  MAX_TIMER_MS,
  PRINTABLE_NAME,
} from '@org/redis-core'
import { type Codec, type CodecOption, resolveCodec } from './codec.js'

/** Options of {@link TransportServer}. */
export interface TransportServerOptions {
  /** Prefix of every key (default `redrpc`). */
  namespace?: string
  /** The service this provider serves; adoption only takes over inboxes of the same service. */
  service: string
  /** This provider's id, unique within the service: its inbox is named after it. */
  providerId: string
  /** Most handlers running at once (default 64); more requests wait unread in the inbox. */
  concurrency?: number
  /** Codec of replies to requests that use it (default `json`); requests in `json` or `msgpack` are always understood. */
  codec?: CodecOption
  /** Largest encoded result (default 1 MiB); a larger one is answered with PayloadTooLargeError. */
  maxPayloadBytes?: number
  /** Most entries one read takes (default 256). */
  batchSize?: number
  /** How long one blocking read waits before it is issued again (default 5000 ms). */
  blockMs?: number
  /** Send handler error stacks to callers (default false). */
  debug?: boolean
  /** How long `start()` waits for Redis to answer before it fails with RedisUnavailableError (default 3000 ms). */
  connectTimeoutMs?: number
  /** Longest time `stop()` waits on Redis (ending the read, flushing replies and acks), besides draining (default 3000 ms). */
  closeTimeoutMs?: number
  /** Background failures (Redis unreachable, a reply that could not be sent); the default ignores them. */
  onError?: (error: Error) => void
}

/** Server options with defaults applied. */
export interface ServerSettings {
  namespace: string
  service: string
  providerId: string
  concurrency: number
  codec: Codec
  maxPayloadBytes: number
  batchSize: number
  blockMs: number
  debug: boolean
  connectTimeoutMs: number
  closeTimeoutMs: number
  onError: (error: Error) => void
}

/** What a client does with a call when `maxInFlight` calls are already out. */
export type OverflowPolicy = 'queue' | 'reject'

/** Options of {@link TransportClient}. */
export interface TransportClientOptions {
  /** Prefix of every key (default `redrpc`); must match the providers'. */
  namespace?: string
  /** Codec of requests (default `json`). */
  codec?: CodecOption
  /** Default timeout of a call (default 5000 ms), counted from `request()`, including time queued. */
  timeoutMs?: number
  /** Most calls sent and not yet answered (default 1024). */
  maxInFlight?: number
  /** Beyond `maxInFlight`: queue the call (default) or reject it with OverloadError. */
  overflow?: OverflowPolicy
  /** Most calls waiting in the queue (default 10000); beyond, OverloadError. */
  maxQueued?: number
  /** Largest encoded params or metadata (default 1 MiB). */
  maxPayloadBytes?: number
  /** Most requests an inbox holds (default 100000): beyond, the oldest are trimmed (their callers time out). */
  inboxMaxLength?: number
  /** Time to live of this client's reply stream, renewed while it lives (default 60000 ms). */
  replyTtlMs?: number
  /** How long one blocking read of replies waits before it is issued again (default 5000 ms). */
  blockMs?: number
  /**
   * How long Redis may stay unreachable before calls fail with RedisUnavailableError (default 3000 ms): the first
   * connection's answer, and a lost connection's return (calls in flight then fail; new ones fail at once as soon as
   * a reconnection is refused).
   */
  connectTimeoutMs?: number
  /** Longest time `close()` waits on Redis (default 3000 ms); it always settles. */
  closeTimeoutMs?: number
  /** Background failures (reading replies, renewing the reply stream); the default ignores them. */
  onError?: (error: Error) => void
}

/** Client options with defaults applied. */
export interface ClientSettings {
  namespace: string
  codec: Codec
  timeoutMs: number
  maxInFlight: number
  overflow: OverflowPolicy
  maxQueued: number
  maxPayloadBytes: number
  inboxMaxLength: number
  replyTtlMs: number
  blockMs: number
  connectTimeoutMs: number
  closeTimeoutMs: number
  onError: (error: Error) => void
}

/** One call. */
export interface RequestOptions {
  /** The service of the provider. */
  service: string
  /** The provider to call (picked by the caller, e.g. with a balancer). */
  providerId: string
  /** The handler's name. */
  method: string
  /** The handler's first argument; anything the codec can encode. */
  params?: unknown
  /** Overrides the client's `timeoutMs`. */
  timeoutMs?: number
  /** Aborts the call: it rejects with AbortError and the provider's `ctx.signal` aborts. */
  signal?: AbortSignal
  /** Travels to the handler as `ctx.metadata`. */
  metadata?: Record<string, unknown>
  /** The caller's attempt number (default 1), seen by the handler as `ctx.attempt`. */
  attempt?: number
}

const MiB = 1024 * 1024
/** Defaults of `connectTimeoutMs` and `closeTimeoutMs`: a few seconds, so a SIGTERM handler never hangs on Redis. */
const CONNECT_TIMEOUT_MS = 3_000
const CLOSE_TIMEOUT_MS = 3_000

/**
 * Names travel in keys (through the core's injective mapping) and in tab-separated headers (control characters would
 * break those); empty names are surely mistakes. One regular-expression test for a valid name: three per call.
 */
function checkName(value: unknown, what: string): string {
  return assertName(value, what, PRINTABLE_NAME)
}

function positiveInt(value: unknown, what: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  return value === undefined ? fallback : assertInteger(value, what, { max })
}

/** A timeout in ms: positive, finite, and within what a timer can wait. */
function checkTimeout(value: unknown, what: string, fallback: number): number {
  return value === undefined ? fallback : assertTimeout(value, what)
}

// Any other key is refused: a misspelt option (`timeoutMS`) would otherwise be ignored and its default apply.
const SERVER_KEYS = [
  'namespace',
  'service',
  'providerId',
  'concurrency',
  'codec',
  'maxPayloadBytes',
  'batchSize',
  'blockMs',
  'debug',
  'connectTimeoutMs',
  'closeTimeoutMs',
  'onError',
] as const satisfies readonly (keyof TransportServerOptions)[]
const CLIENT_KEYS = [
  'namespace',
  'codec',
  'timeoutMs',
  'maxInFlight',
  'overflow',
  'maxQueued',
  'maxPayloadBytes',
  'inboxMaxLength',
  'replyTtlMs',
  'blockMs',
  'connectTimeoutMs',
  'closeTimeoutMs',
  'onError',
] as const satisfies readonly (keyof TransportClientOptions)[]

/** Validates server options and fills in defaults. */
export function serverSettings(options: unknown): ServerSettings {
  const o = assertObject(options, 'options') as unknown as TransportServerOptions
  assertKnownKeys(o, SERVER_KEYS, 'options')
  if (o.onError !== undefined) assertFunction(o.onError, 'options.onError')
  if (o.debug !== undefined && typeof o.debug !== 'boolean') throw new TypeError('options.debug must be a boolean')
  return {
    namespace: checkName(o.namespace ?? DEFAULT_NAMESPACE, 'options.namespace'),
    service: checkName(o.service, 'options.service'),
    providerId: checkName(o.providerId, 'options.providerId'),
    concurrency: positiveInt(o.concurrency, 'options.concurrency', 64),
    codec: resolveCodec(o.codec ?? 'json', 'options.codec'),
    maxPayloadBytes: positiveInt(o.maxPayloadBytes, 'options.maxPayloadBytes', MiB),
    batchSize: positiveInt(o.batchSize, 'options.batchSize', 256),
    blockMs: positiveInt(o.blockMs, 'options.blockMs', 5_000, MAX_TIMER_MS),
    debug: o.debug ?? false,
    connectTimeoutMs: checkTimeout(o.connectTimeoutMs, 'options.connectTimeoutMs', CONNECT_TIMEOUT_MS),
    closeTimeoutMs: checkTimeout(o.closeTimeoutMs, 'options.closeTimeoutMs', CLOSE_TIMEOUT_MS),
    onError: o.onError ?? (() => {}),
  }
}

/** Validates client options and fills in defaults. */
export function clientSettings(options: unknown): ClientSettings {
  const o = assertObject(options ?? {}, 'options') as TransportClientOptions
  assertKnownKeys(o, CLIENT_KEYS, 'options')
  const overflow = o.overflow ?? 'queue'
  if (overflow !== 'queue' && overflow !== 'reject') {
    throw new TypeError(`options.overflow must be 'queue' or 'reject', got ${String(overflow)}`)
  }
  if (o.onError !== undefined) assertFunction(o.onError, 'options.onError')
  return {
    namespace: checkName(o.namespace ?? DEFAULT_NAMESPACE, 'options.namespace'),
    codec: resolveCodec(o.codec ?? 'json', 'options.codec'),
    timeoutMs: checkTimeout(o.timeoutMs, 'options.timeoutMs', 5_000),
    maxInFlight: positiveInt(o.maxInFlight, 'options.maxInFlight', 1024),
    overflow,
    maxQueued: positiveInt(o.maxQueued, 'options.maxQueued', 10_000),
    maxPayloadBytes: positiveInt(o.maxPayloadBytes, 'options.maxPayloadBytes', MiB),
    inboxMaxLength: positiveInt(o.inboxMaxLength, 'options.inboxMaxLength', 100_000),
    replyTtlMs: positiveInt(o.replyTtlMs, 'options.replyTtlMs', 60_000, MAX_TIMER_MS),
    blockMs: positiveInt(o.blockMs, 'options.blockMs', 5_000, MAX_TIMER_MS),
    connectTimeoutMs: checkTimeout(o.connectTimeoutMs, 'options.connectTimeoutMs', CONNECT_TIMEOUT_MS),
    closeTimeoutMs: checkTimeout(o.closeTimeoutMs, 'options.closeTimeoutMs', CLOSE_TIMEOUT_MS),
    onError: o.onError ?? (() => {}),
  }
}

/** A request's options, checked; throws TypeError/RangeError naming the argument. */
export interface CheckedRequest {
  service: string
  providerId: string
  method: string
  params: unknown
  timeoutMs: number
  signal: AbortSignal | undefined
  metadata: Record<string, unknown> | undefined
  attempt: number
}

/** Validates the options of one `request()`. */
export function checkRequest(options: unknown, defaultTimeoutMs: number): CheckedRequest {
  const o = assertObject(options, 'request options') as unknown as RequestOptions
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw new TypeError('request options.signal must be an AbortSignal')
  }
  if (o.metadata !== undefined) assertObject(o.metadata, 'request options.metadata')
  return {
    service: checkName(o.service, 'request options.service'),
    providerId: checkName(o.providerId, 'request options.providerId'),
    method: checkName(o.method, 'request options.method'),
    params: o.params,
    timeoutMs: checkTimeout(o.timeoutMs, 'request options.timeoutMs', defaultTimeoutMs),
    signal: o.signal,
    metadata: o.metadata,
    attempt: positiveInt(o.attempt, 'request options.attempt', 1),
  }
}
