/**
 * A provider's own refusals (a schema refused the params or the result, the result cannot be encoded) travel back as
 * handler errors do, with a code the caller turns into `ValidationError` or `CodecError`. A handler's own error can
 * carry any code, `INVALID_PARAMS` included (a library it calls may use that name), so the code alone would let a
 * handler's failure pose as the caller's bad input. The refusals therefore also carry a mark in `data` that
 * handlers cannot send: `outgoing()` strips it from every error that is not one of the refusals made here.
 */
const MARK = '$redrpc'

const own = new WeakSet<object>()

/** A refusal made by this provider: `data` carries the mark, and `outgoing()` lets it through as it is. */
export function refusal<D extends object>(name: string, code: string, message: string, data: D) {
  const wire = new Error(message) as Error & { code: string; data: D }
  wire.name = name
  wire.code = code
  wire.data = { ...data, [MARK]: 'refusal' }
  own.add(wire)
  return wire
}

/** Whether an error that came back from a provider is one of its refusals (not a handler's error using the code). */
export function isRefusal(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as Record<string, unknown>)[MARK] === 'refusal'
}

/**
 * What a provider lets the transport send for an error thrown while serving: its own refusals as they are, any other
 * error without the mark (a copy when it had one; rare, so the common path allocates nothing).
 */
export function outgoing(err: unknown): unknown {
  if (typeof err !== 'object' || err === null || own.has(err)) return err
  const data = (err as { data?: unknown }).data
  if (typeof data !== 'object' || data === null || !(MARK in data)) return err
  const { [MARK]: _, ...rest } = data as Record<string, unknown>
  const copy = Object.assign(new Error((err as Error).message), err as object, { data: rest })
  copy.name = (err as Error).name
  return copy
}
