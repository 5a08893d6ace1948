/**
 * Base class of every error a RedRpc package makes about its own work (not of bad arguments: those are the built-in
 * TypeError and RangeError). `code` is stable across releases; tell errors apart by `instanceof` or `code`, never by
 * `name` or message, which may change and which other libraries (or `DOMException`) may share.
 */
export class RedisCoreError extends Error {
  /** Stable machine-readable code, e.g. `'TIMEOUT'`, `'UNKNOWN_SERVICE'`. */
  readonly code: string

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = new.target.name
    this.code = code
  }
}
