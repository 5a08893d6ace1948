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
 * produced in one tick for the same caller in ONE reply entry: at tens of thousands of calls a second, each command
 * saved is client-library and Redis time saved. Duplicate field names are allowed in a stream entry.
 *
 * Request entry: one field `q` per request; its value is a tab-separated header, a newline, then the metadata bytes
 * followed by the params bytes. Header: request id, reply stream, method, ms left until the deadline when sent, codec
 * name, attempt, length cap of the reply stream, flags (`p` params present), metadata byte length.
 * A wake entry (field `w`) only interrupts the provider's blocking read.
 * Reply entry: one field `r` per reply: status, tab, request id, tab, `1` if a payload follows, newline, payload.
 * Status 0: result; 1: error encoded with the request's codec; 2: error as JSON (codec unknown or failing).
 */
export interface RequestEntry {
  id: string
  replyTo: string
  method: string
  timeLeftMs: number
  codec: string
  attempt: number
  replyMaxLength: number
  params: Encoded | undefined
  metadata: Encoded | undefined
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

/** Header and body in one value: a string when every part is a string (JSON), else bytes. */
function join(header: string, ...body: (Encoded | undefined)[]): Encoded {
  const parts = body.filter((b): b is Encoded => b !== undefined)
  if (parts.every((b) => typeof b === 'string')) return `${header}\n${parts.join('')}`
  return Buffer.concat([Buffer.from(`${header}\n`), ...parts.map((b) => (typeof b === 'string' ? Buffer.from(b) : b))])
}

/** Splits a message at its first newline. */
function split(message: Buffer): { header: string[]; body: Buffer } | undefined {
  const nl = message.indexOf(NEWLINE)
  if (nl < 0) return undefined
  return { header: message.toString('utf8', 0, nl).split('\t'), body: message.subarray(nl + 1) }
}

/** The value of one request's `q` field. */
export function requestValue(r: RequestEntry): Encoded {
  const metadataLength = r.metadata === undefined ? 0 : byteSize(r.metadata)
  const header = [
    r.id,
    r.replyTo,
    r.method,
    Math.max(1, Math.floor(r.timeLeftMs)),
    r.codec,
    r.attempt,
    r.replyMaxLength,
    r.params === undefined ? '' : 'p',
    metadataLength,
  ].join('\t')
  return join(header, r.metadata, r.params)
}

function parseRequest(message: Buffer): ReadRequest | undefined {
  const parts = split(message)
  if (!parts || parts.header.length < 9) return undefined
  const [id, replyTo, method, t, codec, attempt, replyMaxLength, flags, metadataLength] = parts.header
  const timeLeftMs = Number(t)
  const metaBytes = Number(metadataLength)
  if (!id || !replyTo || !method || !codec || !Number.isFinite(timeLeftMs) || !(metaBytes >= 0)) return undefined
  return {
    id,
    replyTo,
    method,
    timeLeftMs,
    codec,
    attempt: Number(attempt) || 1,
    replyMaxLength: Number(replyMaxLength) || 10_000,
    params: flags?.includes('p') ? parts.body.subarray(metaBytes) : undefined,
    metadata: metaBytes > 0 ? parts.body.subarray(0, metaBytes) : undefined,
  }
}

/** The well-formed requests of an inbox entry (none for a wake entry or garbage). */
export function parseRequests(fields: Buffer[]): ReadRequest[] {
  const requests: ReadRequest[] = []
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i]!.length !== 1 || fields[i]![0] !== Q) continue
    const request = parseRequest(fields[i + 1]!)
    if (request) requests.push(request)
  }
  return requests
}

/** The value of one reply's `r` field. */
export function replyValue(requestId: string, status: string, payload: Encoded | undefined): Encoded {
  return join(`${status}\t${requestId}\t${payload === undefined ? '' : '1'}`, payload)
}

/** One reply as the caller reads it. */
export interface Reply {
  requestId: string
  status: string
  payload: Buffer | undefined
}

/** The replies of one reply entry. */
export function parseReplies(fields: Buffer[]): Reply[] {
  const replies: Reply[] = []
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i]!.length !== 1 || fields[i]![0] !== R) continue
    const parts = split(fields[i + 1]!)
    const [status, requestId, hasPayload] = parts?.header ?? []
    if (!parts || !status || !requestId) continue
    replies.push({ requestId, status, payload: hasPayload === '1' ? parts.body : undefined })
  }
  return replies
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
