import {
  CallAbortedError,
  CallFailedError,
  type CallSite,
  CallTimeoutError,
  RedRpcError,
  RemoteCallError,
  ValidationError,
  type ValidationIssue,
} from './errors.js'
import type { MethodInfo } from './methods.js'
import { VALIDATION_CODE } from './validation.js'

/** Errors of the caller's own input: retrying elsewhere cannot help. */
const BAD_INPUT = new Set(['PayloadTooLargeError', 'CodecError', 'TypeError', 'RangeError'])

/** Turns what the transport threw into a RedRpc error that names service, method and provider. */
export function toCallError(err: unknown, site: CallSite, timeoutMs: number): RedRpcError {
  if (err instanceof RedRpcError) return err
  const e = err instanceof Error ? err : new Error(String(err))
  switch (e.name) {
    case 'RemoteError': {
      const r = e as Error & { remoteName?: string; code?: string; data?: unknown }
      if (r.code === VALIDATION_CODE.params || r.code === VALIDATION_CODE.result) {
        // The provider's schema refused the params (handler not run) or the result: the same typed error as a
        // caller-side check gives, marked `remote`.
        const { issues } = (r.data ?? {}) as { issues?: ValidationIssue[] }
        const target = r.code === VALIDATION_CODE.params ? 'params' : 'result'
        return new ValidationError(site, target, Array.isArray(issues) ? issues : [], true, { cause: e })
      }
      return new RemoteCallError(
        site,
        { name: r.remoteName ?? 'Error', message: e.message, code: r.code, data: r.data },
        {
          cause: e,
        },
      )
    }
    case 'TimeoutError':
      return new CallTimeoutError(site, timeoutMs, { cause: e })
    case 'AbortError':
      return new CallAbortedError('cancelled by the caller', site, { cause: e })
    default:
      return new CallFailedError(`${e.name}: ${e.message}`, site, { cause: e })
  }
}

/** The transport sets `notExecuted` only when the handler provably never ran (not sent, refused, skipped). */
function provedNotRun(err: RedRpcError): boolean {
  return (err.cause as { notExecuted?: unknown } | undefined)?.notExecuted === true
}

function causeName(err: RedRpcError): string | undefined {
  return err.cause instanceof Error ? err.cause.name : undefined
}

/**
 * Whether a failed attempt may be sent again to another provider: always when the error proves the handler never
 * ran (unknown method on that provider, inbox gone, refused, skipped); for idempotent methods also when it may have
 * run (timeout, lost connection); never for the handler's own error, a cancellation, or bad input.
 */
export function isRetryable(err: RedRpcError, method: MethodInfo): boolean {
  // Another provider would refuse the same params with the same schema.
  if (err instanceof CallAbortedError || err instanceof ValidationError) return false
  const cause = causeName(err)
  if (cause !== undefined && BAD_INPUT.has(cause)) return false
  if (provedNotRun(err) || (err instanceof RemoteCallError && err.code === 'UNKNOWN_METHOD')) return true
  if (err instanceof RemoteCallError) return false
  return method.idempotent && (err instanceof CallTimeoutError || err instanceof CallFailedError)
}

/** Whether the error is the provider's fault (counts toward its breaker), not the handler's or the caller's. */
export function isProviderFailure(err: RedRpcError): boolean {
  if (err instanceof RemoteCallError || err instanceof CallAbortedError || err instanceof ValidationError) return false
  const cause = causeName(err)
  return !(cause !== undefined && BAD_INPUT.has(cause))
}
