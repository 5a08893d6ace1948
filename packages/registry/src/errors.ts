import { RedisCoreError } from '@org/redis-core'
import type { ServiceDefinition } from './types.js'

/** Thrown when a provider is registered for, or a service is read by, a name no owner has registered. */
export class UnknownServiceError extends RedisCoreError {
  /** The service that was asked for. */
  readonly service: string

  constructor(service: string) {
    super(
      'UNKNOWN_SERVICE',
      `service "${service}" is not registered: call registerService({ name: "${service}", ... }) first`,
    )
    this.service = service
  }
}

/** An error about one provider id of a service: what `DuplicateProviderError` and `ProviderLostError` carry. */
export abstract class ProviderIdError extends RedisCoreError {
  /** The service of the provider. */
  readonly service: string
  /** The provider id. */
  readonly id: string

  constructor(code: string, message: string, service: string, id: string) {
    super(code, message)
    this.service = service
    this.id = id
  }
}

/** Thrown when a provider id is already held by a live provider of another registry (another process). */
export class DuplicateProviderError extends ProviderIdError {
  constructor(service: string, id: string) {
    const message = `provider id "${id}" of service "${service}" is already held by a live provider: pick another id`
    super('DUPLICATE_PROVIDER', message, service, id)
  }
}

/**
 * A provider lost its id to another registry: it was judged dead (no heartbeat for `ttlMs`, e.g. a long pause)
 * and the id was registered again elsewhere. The handle stops heartbeating.
 */
export class ProviderLostError extends ProviderIdError {
  constructor(service: string, id: string) {
    const message = `provider "${id}" of service "${service}" was judged dead and its id is now held by another registry`
    super('PROVIDER_LOST', message, service, id)
  }
}

/** Thrown by calls made after `close()` or `deregister()`. */
export class RegistryClosedError extends RedisCoreError {
  constructor(message: string) {
    super('REGISTRY_CLOSED', message)
  }
}

/**
 * Thrown by `registerService(input, { replacing })` when the stored definition is no longer the one given: another
 * process registered the service meanwhile. Read it again (`stored`) and decide.
 */
export class ServiceChangedError extends RedisCoreError {
  /** The service. */
  readonly service: string
  /** What is stored now; undefined when nothing is. */
  readonly stored: ServiceDefinition | undefined

  constructor(service: string, stored: ServiceDefinition | undefined) {
    super(
      'SERVICE_CHANGED',
      `service "${service}" was ${stored ? 'registered' : 'removed'} by another process meanwhile: read it again`,
    )
    this.service = service
    this.stored = stored
  }
}
