import type { BreakerState } from './CircuitBreaker.js'
import type { RedisUnavailableReason } from './errors.js'

/** One attempt of a call to one provider. */
export interface CallEvent {
  service: string
  method: string
  provider: string
  /** 1 for the first attempt, 2 for the first retry, ... */
  attempt: number
}

/** An attempt ended. */
export interface CallEndEvent extends CallEvent {
  latencyMs: number
  ok: boolean
  error?: Error
}

/** A provider appeared in or left the registry. */
export interface ProviderEvent {
  service: string
  provider: string
  /** Why it left: `deregistered`, `expired` (crashed or stalled) or `vanished`. */
  reason?: string
}

/** A provider's circuit breaker changed state. */
export interface BreakerEvent {
  service: string
  provider: string
  state: BreakerState
}

/** A lock-protected handler lost its lock while running; its `ctx.signal` aborted. */
export interface LockLostEvent {
  service: string
  method: string
  provider: string
  resources: string[]
  error: unknown
}

/** A local provider took over the inbox of a provider that left. */
export interface AdoptedEvent {
  service: string
  /** The provider that left. */
  provider: string
  /** The local provider that adopted its inbox. */
  by: string
}

/** The RedRpc's Redis connection was lost: its socket failed or closed (once per loss, however many retries fail). */
export interface ConnectionLostEvent {
  /** `host:port` of the Redis. */
  redis: string
  reason: RedisUnavailableReason
  /** The client's own error (or a "Connection is closed." error when the socket just closed). */
  error: Error
}

/** The RedRpc's Redis connection is ready again after a loss. */
export interface ConnectionRecoveredEvent {
  redis: string
  /** How long it was down, ms. */
  downMs: number
}

/** The events of a `RedRpc` instance, with their payloads. */
export interface RedRpcEvents {
  callStart: [CallEvent]
  callEnd: [CallEndEvent]
  /** A failed attempt will be retried on another provider. */
  retry: [CallEndEvent]
  providerUp: [ProviderEvent]
  providerDown: [ProviderEvent]
  breakerOpen: [BreakerEvent]
  breakerHalfOpen: [BreakerEvent]
  breakerClose: [BreakerEvent]
  lockLost: [LockLostEvent]
  adopted: [AdoptedEvent]
  /** Emitted as soon as the client reports it (its `close` or `error` event), not when a call later fails. */
  connectionLost: [ConnectionLostEvent]
  connectionRecovered: [ConnectionRecoveredEvent]
  /** A background task (watch, adoption) failed; calls go on. Never the `error` event, so it cannot crash a process. */
  warning: [Error]
}
