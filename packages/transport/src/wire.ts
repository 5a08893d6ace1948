import {
  AbortError,
  CodecError,
  PayloadTooLargeError,
  RemoteError,
  ShutdownError,
  TimeoutError,
  type TransportError,
} from './errors.js'

/**
 * The wire format. A request is one stream entry with short field names:
 * i request id, r reply stream, m method, t ms left until the deadline when sent, c codec name, a attempt,
 * l length cap of the reply stream, p params (absent when undefined), h metadata (absent when none).
 * A wake entry (`w`) only interrupts the provider's blocking read. A reply is an entry of the caller's reply stream:
 * i request id, s status (0 result in p, 1 error in p with the request's codec, 2 error in p as JSON), p payload.
 */
export interface RequestEntry {
  id: string
  replyTo: string
  method: string
  timeLeftMs: number
  codec: string
  attempt: number
  replyMaxLength: number
  params: Buffer | undefined
  metadata: Buffer | undefined
}

/** How a failure is classified on the wire; the client rebuilds the matching error class. */
export type WireErrorKind = 'remote' | 'timeout' | 'aborted' | 'shutdown' | 'too_large' | 'codec'

/** An error as it crosses the wire. */
export interface WireError {
  kind: WireErrorKind
  name: string
  message: string
  code?: string | undefined
  data?: unknown
  stack?: string | undefined
  notExecuted: boolean
}

/** Reply statuses. */
export const OK = '0'
export const ERROR = '1'
export const ERROR_JSON = '2'

/** XADD field/value arguments of a request. */
export function requestFields(r: RequestEntry): (string | Buffer)[] {
  const fields: (string | Buffer)[] = [
    'i',
    r.id,
    'r',
    r.replyTo,
    'm',
    r.method,
    't',
    String(Math.max(1, Math.floor(r.timeLeftMs))),
    'c',
    r.codec,
    'a',
    String(r.attempt),
    'l',
    String(r.replyMaxLength),
  ]
  if (r.params !== undefined) fields.push('p', r.params)
  if (r.metadata !== undefined) fields.push('h', r.metadata)
  return fields
}

/** Field name to value of a raw entry. */
export function fieldMap(fields: Buffer[]): Map<string, Buffer> {
  const map = new Map<string, Buffer>()
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!.toString('latin1'), fields[i + 1]!)
  return map
}

/** A request read from an inbox, or undefined when the entry is not a well-formed request (a wake entry, garbage). */
export function parseRequest(map: Map<string, Buffer>): RequestEntry | undefined {
  const id = map.get('i')
  const replyTo = map.get('r')
  const method = map.get('m')
  const t = map.get('t')
  if (!id || !replyTo || !method || !t) return undefined
  const timeLeftMs = Number(t.toString('latin1'))
  if (!Number.isFinite(timeLeftMs)) return undefined
  return {
    id: id.toString('utf8'),
    replyTo: replyTo.toString('utf8'),
    method: method.toString('utf8'),
    timeLeftMs,
    codec: map.get('c')?.toString('utf8') ?? 'json',
    attempt: Number(map.get('a')?.toString('latin1') ?? 1) || 1,
    replyMaxLength: Number(map.get('l')?.toString('latin1') ?? 10_000) || 10_000,
    params: map.get('p'),
    metadata: map.get('h'),
  }
}

/** A handler's thrown value, as it crosses the wire. */
export function remoteWireError(err: unknown, debug: boolean): WireError {
  if (!(err instanceof Error)) {
    return { kind: 'remote', name: 'Error', message: String(err), notExecuted: false }
  }
  const { code, data } = err as Error & { code?: unknown; data?: unknown }
  return {
    kind: 'remote',
    name: err.name,
    message: err.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(data !== undefined ? { data } : {}),
    ...(debug && err.stack ? { stack: err.stack } : {}),
    notExecuted: false,
  }
}

/** The error class a wire error stands for, on the caller's side. */
export function errorFromWire(w: WireError, where: string): TransportError {
  const options = { notExecuted: w.notExecuted === true }
  const message = `${where}: ${w.message}`
  switch (w.kind) {
    case 'timeout':
      return new TimeoutError(message, options)
    case 'aborted':
      return new AbortError(message, options)
    case 'shutdown':
      return new ShutdownError(message, options)
    case 'codec':
      return new CodecError(message, options)
    case 'too_large': {
      const d = (w.data ?? {}) as { size?: number; limit?: number }
      return new PayloadTooLargeError(`${where}: the result`, d.size ?? 0, d.limit ?? 0, options)
    }
    default:
      return new RemoteError({ name: w.name, message: w.message, code: w.code, data: w.data, stack: w.stack }, options)
  }
}
