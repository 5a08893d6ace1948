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

const NEWLINE = 0x0a
const Q = 0x71 // 'q'
const R = 0x72 // 'r'

/** Records in one field value: a string when every part is a string (JSON), else bytes. */
export function joinRecords(parts: Encoded[]): Encoded {
  if (parts.length === 1) return parts[0]!
  if (parts.every((p) => typeof p === 'string')) return parts.join('')
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)))
}

const TAB = 0x09
const MINUS = 0x2d
const ZERO = 0x30

/** Fields of a request header, and of a reply header. */
const REQUEST_FIELDS = 9
const REPLY_FIELDS = 3
/**
 * Where each header field starts, reused by every parse: records are read on every call, and on a small machine
 * the code runs cold between calls, so the parsers allocate only what they return (no split array, no numbers as
 * strings, no callback per record).
 */
const starts = new Int32Array(REQUEST_FIELDS + 1)

/**
 * Finds the header fields of the record starting at `offset` (tab-separated, ending at newline `nl`): fills `starts`
 * so that field k spans [starts[k], starts[k + 1] - 1). Returns false unless there are exactly `count` fields.
 */
function splitHeader(value: Buffer, offset: number, nl: number, count: number): boolean {
  let field = 0
  starts[0] = offset
  for (let i = offset; i < nl; i++) {
    if (value[i] !== TAB) continue
    if (++field === count) return false
    starts[field] = i + 1
  }
  starts[field + 1] = nl + 1
  return field + 1 === count
}

/** Header field k as text. */
function text(value: Buffer, k: number): string {
  return value.toString('utf8', starts[k]!, starts[k + 1]! - 1)
}

/** Header field k as an integer (a leading minus allowed); NaN when it is not one. */
function integer(value: Buffer, k: number): number {
  let i = starts[k]!
  const end = starts[k + 1]! - 1
  const negative = value[i] === MINUS
  if (negative) i++
  if (i >= end) return Number.NaN
  let n = 0
  for (; i < end; i++) {
    const digit = value[i]! - ZERO
    if (digit < 0 || digit > 9) return Number.NaN
    n = n * 10 + digit
  }
  return negative ? -n : n
}

/** The `length` bytes at `offset` (undefined for -1), or null when they run past the value (a malformed record). */
function bytesAt(value: Buffer, offset: number, length: number): Buffer | undefined | null {
  if (length === -1) return undefined
  if (!(length >= 0) || offset + length > value.length) return null
  return value.subarray(offset, offset + length)
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

/** The well-formed requests of an inbox entry (none for a wake entry or garbage). */
export function parseRequests(fields: Buffer[]): ReadRequest[] {
  const requests: ReadRequest[] = []
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i]!.length === 1 && fields[i]![0] === Q) readRequests(fields[i + 1]!, requests)
  }
  return requests
}

/** Appends the requests of one field value to `out`; stops at the first malformed record. */
function readRequests(value: Buffer, out: ReadRequest[]): void {
  let offset = 0
  while (offset < value.length) {
    const nl = value.indexOf(NEWLINE, offset)
    if (nl < 0 || !splitHeader(value, offset, nl, REQUEST_FIELDS)) return
    // The metadata bytes come first, then the params: their lengths are header fields 8 and 7.
    const metadata = bytesAt(value, nl + 1, integer(value, 8))
    if (metadata === null) return
    offset = nl + 1 + (metadata?.length ?? 0)
    const params = bytesAt(value, offset, integer(value, 7))
    if (params === null) return
    offset += params?.length ?? 0
    const timeLeftMs = integer(value, 3)
    if (Number.isNaN(timeLeftMs) || starts[1]! - starts[0]! < 2 || starts[3]! - starts[2]! < 2) continue
    const id = text(value, 0)
    const replyTo = text(value, 1)
    const method = text(value, 2)
    const codec = text(value, 4)
    if (!replyTo || !codec) continue
    out.push({
      id,
      replyTo,
      method,
      timeLeftMs,
      codec,
      attempt: integer(value, 5) || 1,
      replyMaxLength: integer(value, 6) || 10_000,
      metadata,
      params,
    })
  }
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
