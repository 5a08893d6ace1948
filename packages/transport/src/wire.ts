import { byteSize, type Encoded } from './codec.js'
import {
  AbortError,
  CodecError,
  PayloadTooLargeError,
  RemoteError,
  ReplyFailedError,
  ShutdownError,
  TimeoutError,
  type TransportError,
} from './errors.js'
import { bytesAt, integer, NEWLINE, REPLY_FIELDS, splitHeader, starts, text, ZERO } from './header.js'

/**
 * The wire format. Every request made in one tick for the same provider travels in ONE stream entry, and every reply
 * produced in one tick for the same caller in ONE reply entry, as ONE field holding records back to back: at tens of
 * thousands of calls a second, each command and each argument saved is client-library and Redis time saved.
 *
 * A record is a tab-separated header line ending in a newline, then its bytes; the header gives their lengths.
 * Request record (field `q`): request id, reply stream, method, ms left until the deadline when sent, codec name,
 * attempt, length cap of the reply stream, params byte length (-1: no params), metadata byte length (-1: none); then
 * the metadata bytes, then the params bytes.
 * Reply record (field `r`): status, request id, payload byte length (-1: none); then the payload. Status 0: result;
 * 1: error encoded with the request's codec; 2: error as JSON (codec unknown or failing).
 * A wake entry (field `w`) only interrupts the provider's blocking read.
 */

/** Encoded bytes and their length. */
export interface Sized {
  data: Encoded
  bytes: number
}

/** Measures an encoded value. */
export function sized(data: Encoded): Sized {
  return { data, bytes: byteSize(data) }
}

/** A request as the caller writes it. */
export interface RequestEntry {
  id: string
  replyTo: string
  method: string
  timeLeftMs: number
  codec: string
  attempt: number
  replyMaxLength: number
  params: Sized | undefined
  metadata: Sized | undefined
}

/** A request as the provider reads it. */
export interface ReadRequest extends Omit<RequestEntry, 'params' | 'metadata'> {
  params: Buffer | undefined
  metadata: Buffer | undefined
}

/** How a failure is classified on the wire; the client rebuilds the matching error class. */
export type WireErrorKind = 'remote' | 'timeout' | 'aborted' | 'shutdown' | 'too_large' | 'codec' | 'reply_failed'

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

const R = 0x72 // 'r'

/** Records in one field value: a string when every part is a string (JSON), else bytes. */
export function joinRecords(parts: Encoded[]): Encoded {
  if (parts.length === 1) return parts[0]!
  if (parts.every((p) => typeof p === 'string')) return parts.join('')
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)))
}

/** Appends one request's record to `out`. */
export function pushRequest(out: Encoded[], r: RequestEntry): void {
  const t = Math.max(1, Math.floor(r.timeLeftMs))
  const header = `${r.id}\t${r.replyTo}\t${r.method}\t${t}\t${r.codec}\t${r.attempt}\t${r.replyMaxLength}\t${r.params?.bytes ?? -1}\t${r.metadata?.bytes ?? -1}\n`
  pushRecord(out, header, r.metadata?.data, r.params?.data)
}

/**
 * Appends a record as one part when its bytes are strings (JSON): a lone call's or reply's record is then the whole
 * field value, with no array to join.
 */
function pushRecord(out: Encoded[], header: string, first: Encoded | undefined, second?: Encoded): void {
  if (typeof first !== 'object' && typeof second !== 'object') {
    out.push(header + (first ?? '') + (second ?? ''))
    return
  }
  out.push(header)
  if (first !== undefined) out.push(first)
  if (second !== undefined) out.push(second)
}

/** Appends one reply's record to `out`. */
export function pushReply(out: Encoded[], requestId: string, status: string, payload: Sized | undefined): void {
  pushRecord(out, `${status}\t${requestId}\t${payload?.bytes ?? -1}\n`, payload?.data)
}

/** Takes one reply as the caller reads it; positional, so reading a reply allocates no object for it. */
export type OnReply = (requestId: string, status: string, payload: Buffer | undefined) => void

/** The one-byte statuses, so the usual status costs no string decoding. */
const STATUSES = [OK, ERROR, ERROR_JSON]

/** Hands each reply of one reply entry to `onReply`. */
export function eachReply(fields: Buffer[], onReply: OnReply): void {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i]!.length !== 1 || fields[i]![0] !== R) continue
    const value = fields[i + 1]!
    let offset = 0
    while (offset < value.length) {
      const nl = value.indexOf(NEWLINE, offset)
      if (nl < 0 || !splitHeader(value, offset, nl, REPLY_FIELDS)) break
      const payload = bytesAt(value, nl + 1, integer(value, 2))
      if (payload === null) break
      offset = nl + 1 + (payload?.length ?? 0)
      const statusLength = starts[1]! - starts[0]! - 1
      if (statusLength < 1 || starts[2]! - starts[1]! < 2) continue
      const status = (statusLength === 1 && STATUSES[value[starts[0]!]! - ZERO]) || text(value, 0)
      onReply(text(value, 1), status, payload)
    }
  }
}

/** The request ids of reply records, in order (for a batch Redis refused: rare, so it reads them back). */
export function replyIds(records: Encoded): string[] {
  const ids: string[] = []
  const value = typeof records === 'string' ? Buffer.from(records) : records
  eachReply([RECORD_FIELD_R, value], (requestId) => {
    ids.push(requestId)
  })
  return ids
}

const RECORD_FIELD_R = Buffer.from('r')

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
    case 'reply_failed':
      return new ReplyFailedError(message)
    case 'too_large': {
      const d = (w.data ?? {}) as { size?: number; limit?: number }
      return new PayloadTooLargeError(`${where}: the result`, d.size ?? 0, d.limit ?? 0, options)
    }
    default:
      return new RemoteError({ name: w.name, message: w.message, code: w.code, data: w.data, stack: w.stack }, options)
  }
}
