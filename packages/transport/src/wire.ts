import type { Encoded } from './codec.js'
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
 * The wire format, kept to one stream field per message because every extra argument costs the client library
 * (ioredis) and Redis time on each of tens of thousands of calls a second.
 *
 * Request entry: field `q` = header, newline, params bytes. The header is tab-separated: request id, reply stream,
 * method, ms left until the deadline when sent, codec name, attempt, length cap of the reply stream, flags (`p` params
 * present). Metadata, when any, is field `h`. A wake entry (field `w`) only interrupts the provider's blocking read.
 * Reply entry (caller's reply stream): field `r` = status, tab, request id, tab, `1` if a payload follows, newline,
 * payload. Status 0: result; 1: error encoded with the request's codec; 2: error as JSON (codec unknown or failing).
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

/** Header and body in one value: a string when both are strings (JSON), else bytes. */
function join(header: string, body: Encoded | undefined): Encoded {
  if (body === undefined) return `${header}\n`
  if (typeof body === 'string') return `${header}\n${body}`
  return Buffer.concat([Buffer.from(`${header}\n`), body])
}

/** Splits a message at its first newline. */
function split(message: Buffer): { header: string[]; body: Buffer } | undefined {
  const nl = message.indexOf(NEWLINE)
  if (nl < 0) return undefined
  return { header: message.toString('utf8', 0, nl).split('\t'), body: message.subarray(nl + 1) }
}

/** XADD field/value arguments of a request. */
export function requestFields(r: RequestEntry): Encoded[] {
  const header = [
    r.id,
    r.replyTo,
    r.method,
    Math.max(1, Math.floor(r.timeLeftMs)),
    r.codec,
    r.attempt,
    r.replyMaxLength,
    r.params === undefined ? '' : 'p',
  ].join('\t')
  const fields: Encoded[] = ['q', join(header, r.params)]
  if (r.metadata !== undefined) fields.push('h', r.metadata)
  return fields
}

/** A request read from an inbox, or undefined when the entry is not a well-formed request (a wake entry, garbage). */
export function parseRequest(fields: Buffer[]): ReadRequest | undefined {
  let message: Buffer | undefined
  let metadata: Buffer | undefined
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!.toString('latin1')
    if (name === 'q') message = fields[i + 1]
    else if (name === 'h') metadata = fields[i + 1]
  }
  const parts = message ? split(message) : undefined
  if (!parts || parts.header.length < 8) return undefined
  const [id, replyTo, method, t, codec, attempt, replyMaxLength, flags] = parts.header
  const timeLeftMs = Number(t)
  if (!id || !replyTo || !method || !codec || !Number.isFinite(timeLeftMs)) return undefined
  return {
    id,
    replyTo,
    method,
    timeLeftMs,
    codec,
    attempt: Number(attempt) || 1,
    replyMaxLength: Number(replyMaxLength) || 10_000,
    params: flags?.includes('p') ? parts.body : undefined,
    metadata,
  }
}

/** XADD field/value arguments of a reply. */
export function replyFields(requestId: string, status: string, payload: Encoded | undefined): Encoded[] {
  return ['r', join(`${status}\t${requestId}\t${payload === undefined ? '' : '1'}`, payload)]
}

/** One reply as the caller reads it. */
export interface Reply {
  requestId: string
  status: string
  payload: Buffer | undefined
}

/** A reply read from the caller's stream, or undefined when malformed. */
export function parseReply(fields: Buffer[]): Reply | undefined {
  const message = fields[0]?.toString('latin1') === 'r' ? fields[1] : undefined
  const parts = message ? split(message) : undefined
  if (!parts) return undefined
  const [status, requestId, hasPayload] = parts.header
  if (!status || !requestId) return undefined
  return { requestId, status, payload: hasPayload === '1' ? parts.body : undefined }
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
