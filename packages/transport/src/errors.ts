import { RedisCoreError } from '@org/redis-core'

/** Stable machine-readable codes of the transport's errors. */
export type TransportErrorCode =
  | 'REMOTE_ERROR'
  | 'UNKNOWN_METHOD'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'SHUTDOWN'
  | 'PAYLOAD_TOO_LARGE'
  | 'CODEC_ERROR'
  | 'NO_PROVIDER'
  | 'OVERLOADED'
  | 'CONNECTION'
  | 'REPLY_FAILED'
  | 'REDIS_UNAVAILABLE'

/** What every transport error carries besides its message. */
export interface TransportErrorOptions extends ErrorOptions {
  /** True only when the request provably never ran a handler: safe to send again, to this or another provider. */
  notExecuted?: boolean
}

/**
 * Base class of the transport's errors, itself a `RedisCoreError`. `code` is stable; `notExecuted` is true only when
 * the handler provably never ran (not sent, refused, or skipped by the provider), so a caller may retry elsewhere
 * without running it twice.
 */
export class TransportError extends RedisCoreError {
  readonly notExecuted: boolean

  constructor(code: string, message: string, options: TransportErrorOptions = {}) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause })
    this.notExecuted = options.notExecuted ?? false
  }
}

/** What crosses the wire of a handler's error. */
export interface RemoteErrorInfo {
  name: string
  message: string
  code?: string | undefined
  data?: unknown
  stack?: string | undefined
}

/**
 * The handler threw. `remoteName`, `message`, `code` (the handler error's own `code` when it was a string, else
 * `REMOTE_ERROR`; `UNKNOWN_METHOD` when the provider has no such method) and `data` come from the provider;
 * `remoteStack` only when the provider runs with `debug: true`.
 */
export class RemoteError extends TransportError {
  readonly remoteName: string
  readonly data: unknown
  readonly remoteStack: string | undefined

  constructor(info: RemoteErrorInfo, options: TransportErrorOptions = {}) {
    super(info.code ?? 'REMOTE_ERROR', info.message, options)
    this.remoteName = info.name
    this.data = info.data
    this.remoteStack = info.stack
  }
}

/** No reply within the timeout. `notExecuted` is true when it was never sent or the provider skipped it unrun. */
export class TimeoutError extends TransportError {
  constructor(message: string, options: TransportErrorOptions = {}) {
    super('TIMEOUT', message, options)
  }
}

/** The caller's `signal` aborted the call (or the provider's handler was cancelled by it). */
export class AbortError extends TransportError {
  constructor(message: string, options: TransportErrorOptions = {}) {
    super('ABORTED', message, options)
  }
}

/** The client was closed, or the provider stopped without draining while the call ran. */
export class ShutdownError extends TransportError {
  constructor(message: string, options: TransportErrorOptions = {}) {
    super('SHUTDOWN', message, options)
  }
}

/** An encoded payload (params, metadata or result) is over `maxPayloadBytes`. */
export class PayloadTooLargeError extends TransportError {
  readonly size: number
  readonly limit: number

  constructor(what: string, size: number, limit: number, options: TransportErrorOptions = {}) {
    super('PAYLOAD_TOO_LARGE', `${what} is ${size} bytes encoded, over maxPayloadBytes (${limit})`, options)
    this.size = size
    this.limit = limit
  }
}

/** A value could not be encoded or decoded by the codec (functions, cycles, BigInt in JSON, corrupt bytes). */
export class CodecError extends TransportError {
  constructor(message: string, options: TransportErrorOptions = {}) {
    super('CODEC_ERROR', message, options)
  }
}

/** The provider's inbox does not exist (never started, or adopted and removed): nothing was sent. */
export class NoProviderError extends TransportError {
  constructor(message: string) {
    super('NO_PROVIDER', message, { notExecuted: true })
  }
}

/** The client already has `maxInFlight` calls out and its queue is full (or `overflow: 'reject'`): nothing was sent. */
export class OverloadError extends TransportError {
  constructor(message: string) {
    super('OVERLOADED', message, { notExecuted: true })
  }
}

/** Redis refused or lost the command that sends the request: it may or may not have reached the provider. */
export class ConnectionError extends TransportError {
  constructor(message: string, options: TransportErrorOptions = {}) {
    super('CONNECTION', message, options)
  }
}

/**
 * The handler ran, but Redis refused to store its reply (e.g. the caller's reply key holds another type); the request
 * was dead-lettered and acknowledged, so it will not run again.
 */
export class ReplyFailedError extends TransportError {
  constructor(message: string) {
    super('REPLY_FAILED', message, { notExecuted: false })
  }
}

/** Why Redis could not be reached: it refused the connection, did not answer in time, or the connection was lost. */
export type UnavailableReason = 'refused' | 'timeout' | 'lost' | 'error'

/**
 * Redis cannot be reached: nothing listens at `address` (`refused`, ECONNREFUSED), it did not answer within
 * `connectTimeoutMs` (`timeout`), the connection dropped and did not come back in that time (`lost`), or it failed
 * otherwise (`error`, e.g. a name that does not resolve); the low-level error is the `cause`. `notExecuted` when the
 * request was never sent.
 */
export class RedisUnavailableError extends TransportError {
  /** `host:port` of the Redis (a Cluster: its startup nodes). */
  readonly address: string
  readonly reason: UnavailableReason

  constructor(message: string, address: string, reason: UnavailableReason, options: TransportErrorOptions = {}) {
    super('REDIS_UNAVAILABLE', message, options)
    this.address = address
    this.reason = reason
  }
}
