import { byteSize, type Encoded } from './codec.js'
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

const NEWLINE = 0x0a
const Q = 0x71 // 'q'
const R = 0x72 // 'r'

/** Records in one field value: a string when every part is a string (JSON), else bytes. */
export function joinRecords(parts: Encoded[]): Encoded {
  if (parts.every((p) => typeof p === 'string')) return parts.join('')
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)))
}

/**
 * Walks the records of one field value: calls `onRecord` with each header (split on tabs) and the byte runs after it,
 * whose lengths sit at header positions `lengthsAt`. Stops at the first malformed record.
 */
function eachRecord(
  value: Buffer,
  lengthsAt: readonly number[],
  onRecord: (header: string[], parts: (Buffer | undefined)[]) => void,
): void {
  let offset = 0
  while (offset < value.length) {
    const nl = value.indexOf(NEWLINE, offset)
    if (nl < 0) return
    const header = value.toString('utf8', offset, nl).split('\t')
    offset = nl + 1
    const parts: (Buffer | undefined)[] = []
    for (const at of lengthsAt) {
      const length = Number(header[at])
      if (!Number.isInteger(length) || offset + length > value.length) return
      parts.push(length < 0 ? undefined : value.subarray(offset, offset + length))
      if (length > 0) offset += length
    }
    onRecord(header, parts)
  }
}

/** Appends one request's record to `out`. */
export function pushRequest(out: Encoded[], r: RequestEntry): void {
  const t = Math.max(1, Math.floor(r.timeLeftMs))
  out.push(
    `${r.id}\t${r.replyTo}\t${r.method}\t${t}\t${r.codec}\t${r.attempt}\t${r.replyMaxLength}\t${r.params?.bytes ?? -1}\t${r.metadata?.bytes ?? -1}\n`,
  )
  if (r.metadata) out.push(r.metadata.data)
  if (r.params) out.push(r.params.data)
}

/** The metadata bytes come first, then the params: their lengths sit at header positions 8 and 7. */
const REQUEST_LENGTHS = [8, 7] as const
const REPLY_LENGTHS = [2] as const

/** The well-formed requests of an inbox entry (none for a wake entry or garbage). */
export function parseRequests(fields: Buffer[]): ReadRequest[] {
  const requests: ReadRequest[] = []
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i]!.length !== 1 || fields[i]![0] !== Q) continue
    eachRecord(fields[i + 1]!, REQUEST_LENGTHS, (header, parts) => {
      const [id, replyTo, method, t, codec, attempt, replyMaxLength] = header
      const timeLeftMs = Number(t)
      if (!id || !replyTo || !method || !codec || !Number.isFinite(timeLeftMs)) return
      requests.push({
        id,
        replyTo,
        method,
        timeLeftMs,
        codec,
        attempt: Number(attempt) || 1,
        replyMaxLength: Number(replyMaxLength) || 10_000,
        metadata: parts[0],
        params: parts[1],
      })
    })
  }
  return requests
}

/** Appends one reply's record to `out`. */
export function pushReply(out: Encoded[], requestId: string, status: string, payload: Sized | undefined): void {
  out.push(`${status}\t${requestId}\t${payload?.bytes ?? -1}\n`)
  if (payload) out.push(payload.data)
}

/** One reply as the caller reads it. */
export interface Reply {
  requestId: string
  status: string
  payload: Buffer | undefined
}

/** Hands each reply of one reply entry to `onReply`. */
export function eachReply(fields: Buffer[], onReply: (reply: Reply) => void): void {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i]!.length !== 1 || fields[i]![0] !== R) continue
    eachRecord(fields[i + 1]!, REPLY_LENGTHS, (header, parts) => {
      const [status, requestId] = header
      if (status && requestId) onReply({ requestId, status, payload: parts[0] })
    })
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
