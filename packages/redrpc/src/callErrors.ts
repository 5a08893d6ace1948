import { AbortError, CodecError, PayloadTooLargeError, RemoteError, TimeoutError, TransportError } from '@org/transport'
import { codecErrorFromRemote, RESULT_REFUSED_CODE, CodecError as RedRpcCodecError } from './codecError.js'
import {
  CallAbortedError,
  CallFailedError,
  type CallSite,
  CallTimeoutError,
  RedisUnavailableError,
  RedRpcError,
  RemoteCallError,
  ValidationError,
  type ValidationIssue,
} from './errors.js'
import type { MethodInfo } from './methods.js'
import { isRefusal } from './refusals.js'
import { VALIDATION_CODE } from './validation.js'

/**
 * Turns what the transport threw into a RedRpc error that names service, method and provider. Errors are told
 * apart by class (the transport's own), never by `name`: `TimeoutError` and `AbortError` are also `DOMException`
 * names, and a handler may name its errors anything.
 */
export function toCallError(err: unknown, site: CallSite, timeoutMs: number): RedRpcError {
  if (err instanceof RedRpcError) return err
  if (err instanceof RemoteError) return fromRemote(err, site)
  if (err instanceof TimeoutError) return new CallTimeoutError(site, timeoutMs, { cause: err })
  if (err instanceof AbortError) return new CallAbortedError('cancelled by the caller', site, { cause: err })
  if (err instanceof CodecError) return RedRpcCodecError.fromTransport(err, site)
  // By its stable code: the transport's own "Redis unreachable" error, when it gives one.
  if (err instanceof TransportError && err.code === 'REDIS_UNAVAILABLE') return fromUnavailable(err, site)
  const e = err instanceof Error ? err : new Error(String(err))
  return new CallFailedError(`${e.name}: ${e.message}`, site, { cause: e })
}

/** The transport's `REDIS_UNAVAILABLE` (fields `address`, `reason`) as this package's `RedisUnavailableError`. */
function fromUnavailable(err: TransportError, site: CallSite): RedisUnavailableError {
  const { address, reason } = err as TransportError & { address?: unknown; reason?: unknown }
  const mapped = reason === 'refused' || reason === 'timeout' ? reason : reason === 'lost' ? 'closed' : 'unreachable'
  const redis = typeof address === 'string' ? address : 'unknown'
  return new RedisUnavailableError(redis, mapped, site, { cause: err, notExecuted: err.notExecuted })
}

/** A handler's error, or a refusal the provider sent back the same way (schema, result codec). */
function fromRemote(err: RemoteError, site: CallSite): RedRpcError {
  if ((err.code === VALIDATION_CODE.params || err.code === VALIDATION_CODE.result) && isRefusal(err.data)) {
    // The provider's schema refused the params (handler not run) or the result: the same typed error as a
    // caller-side check gives, marked `remote`.
    const { issues } = (err.data ?? {}) as { issues?: ValidationIssue[] }
    const target = err.code === VALIDATION_CODE.params ? 'params' : 'result'
    return new ValidationError(site, target, Array.isArray(issues) ? issues : [], true, { cause: err })
  }
  if (err.code === RESULT_REFUSED_CODE && isRefusal(err.data)) return codecErrorFromRemote(err, site)
  return new RemoteCallError(
    site,
    { name: err.remoteName, message: err.message, code: err.code, data: err.data },
    { cause: err },
  )
}

/** The transport sets `notExecuted` only when the handler provably never ran (not sent, refused, skipped). */
function provedNotRun(err: RedRpcError): boolean {
  return err.cause instanceof TransportError && err.cause.notExecuted
}

/** The caller's own input was refused before sending: retrying elsewhere cannot help, nor is a provider at fault. */
function isBadInput(err: RedRpcError): boolean {
  if (err instanceof RedRpcCodecError) return true
  const cause = err.cause
  return (
    cause instanceof PayloadTooLargeError ||
    cause instanceof CodecError ||
    cause instanceof TypeError ||
    cause instanceof RangeError
  )
}

/**
 * Whether a failed attempt may be sent again to another provider: always when the transport proves the handler never
 * ran (unknown method on that provider, inbox gone, refused, skipped); for idempotent methods also when it may have
 * run (timeout, lost connection); never for the handler's own error (whatever `code` it carries), a cancellation, or
 * bad input.
 */
export function isRetryable(err: RedRpcError, method: MethodInfo): boolean {
  // Another provider would refuse the same params with the same schema.
  // Nor when the Redis every provider shares is down.
  if (err instanceof CallAbortedError || err instanceof ValidationError || isBadInput(err)) return false
  if (err instanceof RedisUnavailableError) return false
  if (provedNotRun(err)) return true
  if (err instanceof RemoteCallError) return false
  return method.idempotent && (err instanceof CallTimeoutError || err instanceof CallFailedError)
}

/** Whether the error is the provider's fault (counts toward its breaker), not the handler's or the caller's. */
export function isProviderFailure(err: RedRpcError): boolean {
  if (err instanceof RemoteCallError || err instanceof CallAbortedError || err instanceof ValidationError) return false
  // The Redis being down is no provider's fault: opening their breakers would only delay recovery.
  if (err instanceof RedisUnavailableError) return false
  return !isBadInput(err)
}
