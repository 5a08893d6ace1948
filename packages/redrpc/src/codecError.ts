import type { RemoteError, CodecError as TransportCodecError } from '@org/transport'
import { type CallSite, RedRpcError } from './errors.js'
import { refusal } from './refusals.js'

/** The code a provider's refusal of a handler's result travels under (see `resultRefusal`). */
export const RESULT_REFUSED_CODE = 'REDRPC_RESULT_NOT_ENCODABLE'

/**
 * A value cannot cross the wire exactly (see the README's "What a call can carry"): a function, a symbol, `NaN`, a
 * `Date`, a `Map`, a class instance, `undefined` in an array, a cycle... `path` names it (`params.items[2].f`,
 * `result.when`). Params and metadata are refused by the caller before anything is sent (`notExecuted: true`); a
 * result is refused by the provider after the handler ran (`notExecuted: false`, `remote: true`). Never retried.
 * Also thrown when bytes from a peer cannot be decoded (`path` undefined), e.g. a peer of another release.
 */
export class CodecError extends RedRpcError {
  /** Where the refused value is, from its root (`params`, `metadata`, `result`); undefined for a decoding failure. */
  readonly path: string | undefined
  /** Why it cannot be carried. */
  readonly reason: string
  /** True when the handler provably did not run (the caller refused its own params or metadata). */
  readonly notExecuted: boolean
  /** True when the provider found it (the result), false when this process did. */
  readonly remote: boolean

  constructor(
    path: string | undefined,
    reason: string,
    site: CallSite = {},
    flags: { notExecuted?: boolean; remote?: boolean } = {},
    options?: ErrorOptions,
  ) {
    super(path === undefined ? reason : `${path} ${reason}`, site, options)
    this.path = path
    this.reason = reason
    this.notExecuted = flags.notExecuted ?? true
    this.remote = flags.remote ?? false
  }

  /** The same refusal, placed at a call site. */
  at(site: CallSite, flags: { notExecuted?: boolean; remote?: boolean } = {}): CodecError {
    return new CodecError(this.path, this.reason, site, { notExecuted: this.notExecuted, ...flags }, { cause: this })
  }

  /** The transport's own codec failure (bytes it could not decode, a codec name the peer does not know). */
  static fromTransport(err: TransportCodecError, site: CallSite): CodecError {
    return new CodecError(undefined, err.message, site, { notExecuted: err.notExecuted, remote: false }, { cause: err })
  }
}

/** What a provider throws when a handler's result cannot be encoded: it travels back as a handler error would. */
export function resultRefusal(err: CodecError): Error & { code: string; data: { path?: string; reason: string } } {
  const data = err.path === undefined ? { reason: err.reason } : { path: err.path, reason: err.reason }
  return refusal('CodecError', RESULT_REFUSED_CODE, err.message, data)
}

/** The caller's side of `resultRefusal`. */
export function codecErrorFromRemote(err: RemoteError, site: CallSite): CodecError {
  const { path, reason } = (err.data ?? {}) as { path?: unknown; reason?: unknown }
  return new CodecError(
    typeof path === 'string' ? path : undefined,
    typeof reason === 'string' ? reason : err.message,
    site,
    { notExecuted: false, remote: true },
    { cause: err },
  )
}
