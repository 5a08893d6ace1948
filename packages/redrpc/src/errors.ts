/** Where a failure happened: every RedRpc error names what it can of service, method and provider. */
export interface CallSite {
  service?: string | undefined
  method?: string | undefined
  provider?: string | undefined
}

function where(site: CallSite): string {
  const call = site.method ? `${site.service ?? '?'}.${site.method}` : (site.service ?? '')
  return site.provider ? `${call} on ${site.provider}` : call
}

/** Base class of every error thrown by `@org/redrpc`; `service`, `method` and `provider` say where it happened. */
export class RedRpcError extends Error {
  readonly service: string | undefined
  readonly method: string | undefined
  readonly provider: string | undefined

  constructor(message: string, site: CallSite = {}, options?: ErrorOptions) {
    const prefix = where(site)
    super(prefix ? `${prefix}: ${message}` : message, options)
    this.name = new.target.name
    this.service = site.service
    this.method = site.method
    this.provider = site.provider
  }
}

/** The service is neither registered in this process nor known to the registry. */
export class UnknownServiceError extends RedRpcError {}

/** The service exists but has no method of that name; `known` lists the methods it has. */
export class UnknownMethodError extends RedRpcError {
  readonly known: readonly string[]
  constructor(site: CallSite, known: readonly string[]) {
    super(`unknown method; the service has: ${known.join(', ') || '(none)'}`, site)
    this.known = known
  }
}

/**
 * No live provider serves the service (none registered, or all gone). A first attempt waits up to its `timeoutMs`
 * for one to appear before this is thrown.
 */
export class NoProviderError extends RedRpcError {}

/** `waitForServices` gave up: `missing` lists the services that still had no live provider after `timeoutMs`. */
export class WaitForServicesTimeoutError extends NoProviderError {
  readonly missing: readonly string[]
  readonly timeoutMs: number
  constructor(missing: readonly string[], timeoutMs: number) {
    super(`no live provider within ${timeoutMs} ms for: ${missing.join(', ')}`)
    this.missing = missing
    this.timeoutMs = timeoutMs
  }
}

/** Every live provider of the service has its circuit breaker open. */
export class CircuitOpenError extends RedRpcError {}

/** The service already has `maxInFlight` calls running from this process; the call was not sent. */
export class BulkheadFullError extends RedRpcError {
  readonly maxInFlight: number
  constructor(site: CallSite, maxInFlight: number) {
    super(`bulkhead full: ${maxInFlight} calls already in flight`, site)
    this.maxInFlight = maxInFlight
  }
}

/** No reply within `timeoutMs`; the handler may or may not have run. */
export class CallTimeoutError extends RedRpcError {
  readonly timeoutMs: number
  constructor(site: CallSite, timeoutMs: number, options?: ErrorOptions) {
    super(`no reply within ${timeoutMs} ms`, site, options)
    this.timeoutMs = timeoutMs
  }
}

/** The handler ran and threw: its name, message, code and data crossed the wire. */
export class RemoteCallError extends RedRpcError {
  readonly remoteName: string
  readonly code: string | undefined
  readonly data: unknown
  constructor(
    site: CallSite,
    remote: { name: string; message: string; code?: string | undefined; data?: unknown },
    options?: ErrorOptions,
  ) {
    super(`${remote.name}: ${remote.message}`, site, options)
    this.remoteName = remote.name
    this.code = remote.code
    this.data = remote.data
  }
}

/** The call failed in transit (connection, shutdown, codec...); `cause` is the transport's error. */
export class CallFailedError extends RedRpcError {}

/** The call was cancelled by the caller's `signal`. */
export class CallAbortedError extends RedRpcError {}

/** The RedRpc instance was closed; nothing more can be called or registered. */
export class ClosedError extends RedRpcError {
  constructor() {
    super('this RedRpc instance is closed')
  }
}

/** A lock-protected method names a resource that the Redlock does not declare. */
export class UndeclaredResourceError extends RedRpcError {
  readonly resource: string
  constructor(site: CallSite, resource: string, declared: readonly string[]) {
    super(`resource '${resource}' is not declared in the Redlock; declared: ${declared.join(', ') || '(none)'}`, site)
    this.resource = resource
  }
}

/** One problem a schema found, as it crosses the wire: `path` to the bad value (keys and indexes), and a message. */
export interface ValidationIssue {
  message: string
  path?: (string | number)[]
}

/**
 * A method's schema refused a value: `target` says which (`'params'` before the handler, `'result'` after it),
 * `issues` what was wrong. `notExecuted` is true for params: the handler never ran. `remote` is true when the
 * provider found it (the caller had no schema, or was bypassed); false when the caller refused to send.
 */
export class ValidationError extends RedRpcError {
  readonly target: 'params' | 'result'
  readonly issues: readonly ValidationIssue[]
  readonly notExecuted: boolean
  readonly remote: boolean
  constructor(
    site: CallSite,
    target: 'params' | 'result',
    issues: readonly ValidationIssue[],
    remote: boolean,
    options?: ErrorOptions,
  ) {
    super(`invalid ${target}: ${issues.map(describeIssue).join('; ') || '(no issue given)'}`, site, options)
    this.target = target
    this.issues = issues
    this.notExecuted = target === 'params'
    this.remote = remote
  }
}

function describeIssue(issue: ValidationIssue): string {
  return issue.path && issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message
}

/**
 * `registerService` found the service already registered (by another process, or before a restart) with another
 * definition: `differences` says what differs (methods, their settings, version, metadata). Nothing was changed. An
 * identical definition registers again without error. Give the new definition a new service name (`billing:v2`), or
 * remove the old one first (`unregisterService`, `redrpc unregister`) once its providers are gone.
 */
export class ServiceConflictError extends RedRpcError {
  readonly differences: readonly string[]
  constructor(service: string, differences: readonly string[]) {
    super(`already registered with another definition: ${differences.join('; ')}`, { service })
    this.differences = differences
  }
}

/** `unregisterService` found live providers of the service (listed in `providers`) and removed nothing. */
export class ServiceInUseError extends RedRpcError {
  readonly providers: readonly string[]
  constructor(service: string, providers: readonly string[]) {
    super(
      `has ${providers.length} live provider(s): ${providers.join(', ')}; stop them first, or pass { force: true }`,
      { service },
    )
    this.providers = providers
  }
}

/** Why the Redis could not be used: its socket's error code when there was one. */
export type RedisUnavailableReason = 'refused' | 'timeout' | 'unreachable' | 'closed'

/**
 * The Redis that carries the registry and the calls cannot be reached: `redis` names it (`host:port`), `reason`
 * says how (`refused`: nothing listens there, ECONNREFUSED; `timeout`: no answer within the connect timeout;
 * `unreachable`: another socket error, e.g. a host that cannot be resolved or reached; `closed`: the connection
 * ended). `cause` is the client's own error. Thrown at once instead of after ioredis' retries; a call failing with it
 * was not sent when `notExecuted` is true. Not retried on another provider (they share that Redis) and not counted
 * against any provider's breaker.
 */
export class RedisUnavailableError extends RedRpcError {
  readonly redis: string
  readonly reason: RedisUnavailableReason
  readonly notExecuted: boolean
  constructor(
    redis: string,
    reason: RedisUnavailableReason,
    site: CallSite = {},
    options: ErrorOptions & { notExecuted?: boolean } = {},
  ) {
    const how = {
      refused: 'connection refused (ECONNREFUSED)',
      timeout: 'no connection within the connect timeout',
      unreachable: 'cannot reach it',
      closed: 'the connection is closed',
    }[reason]
    const detail = options.cause instanceof Error && reason !== 'refused' ? `: ${options.cause.message}` : ''
    super(`Redis ${redis} is unavailable: ${how}${detail}`, site, { cause: options.cause })
    this.redis = redis
    this.reason = reason
    this.notExecuted = options.notExecuted ?? false
  }
}

/** `close()` did not finish within `closeTimeoutMs`: `pending` says which steps were still running. */
export class CloseTimeoutError extends RedRpcError {
  readonly pending: readonly string[]
  readonly timeoutMs: number
  constructor(timeoutMs: number, pending: readonly string[]) {
    super(`close() did not finish within ${timeoutMs} ms; still running: ${pending.join(', ') || '(nothing)'}`)
    this.pending = pending
    this.timeoutMs = timeoutMs
  }
}
