/** Thrown when a provider is registered for, or a service is read by, a name no owner has registered. */
export class UnknownServiceError extends Error {
  override name = 'UnknownServiceError'
  /** The service that was asked for. */
  readonly service: string

  constructor(service: string) {
    super(`service "${service}" is not registered: call registerService({ name: "${service}", ... }) first`)
    this.service = service
  }
}

/** Thrown when a provider id is already held by a live provider of another registry (another process). */
export class DuplicateProviderError extends Error {
  override name = 'DuplicateProviderError'
  /** The service of the provider. */
  readonly service: string
  /** The provider id that is taken. */
  readonly id: string

  constructor(service: string, id: string) {
    super(`provider id "${id}" of service "${service}" is already held by a live provider: pick another id`)
    this.service = service
    this.id = id
  }
}

/**
 * A provider lost its id to another registry: it was judged dead (no heartbeat for `ttlMs`, e.g. a long pause)
 * and the id was registered again elsewhere. The handle stops heartbeating.
 */
export class ProviderLostError extends Error {
  override name = 'ProviderLostError'
  /** The service of the provider. */
  readonly service: string
  /** The provider id that was lost. */
  readonly id: string

  constructor(service: string, id: string) {
    super(`provider "${id}" of service "${service}" was judged dead and its id is now held by another registry`)
    this.service = service
    this.id = id
  }
}

/** Thrown by calls made after `close()` or `deregister()`. */
export class RegistryClosedError extends Error {
  override name = 'RegistryClosedError'
}
