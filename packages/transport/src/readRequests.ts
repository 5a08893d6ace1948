import { MAX_TIMER_MS } from '@org/redis-core'
import { bytesAt, fieldLength, integer, NEWLINE, REQUEST_FIELDS, splitHeader, starts, text } from './header.js'
import type { ReadRequest } from './wire.js'

/**
 * Reading and validating the request records of an inbox entry (format in wire.ts). Every field of every record is
 * checked: types, ranges, lengths, and the reply address (a reply stream of this namespace, nothing else), so a
 * record written by a broken or hostile sender is refused alone and never changes how the others are answered. The
 * checks are folded into the parse: a well-formed record costs a few comparisons more, no allocation.
 */

/** Largest reply-stream cap a request may ask for; callers write at most this. */
export const MAX_REPLY_LENGTH = 1_000_000_000
/** Longest request id, reply address, method and codec name, in bytes. */
const MAX_ID_BYTES = 256
const MAX_REPLY_TO_BYTES = 512
const MAX_METHOD_BYTES = 4_096
const MAX_CODEC_BYTES = 64
const Q = 0x71 // 'q'
const W = 0x77 // 'w'
const OPEN = 0x7b // '{'
const CLOSE = 0x7d // '}'

/** A record that fails validation: dead-lettered, and answered with an error when `id` and `replyTo` are usable. */
export interface Rejected {
  /** What is wrong, in words. */
  reason: string
  id: string | undefined
  replyTo: string | undefined
  method: string | undefined
  /** The record's bytes (or the rest of the field, when its framing is lost). */
  record: Buffer
}

/**
 * The valid requests of an inbox entry; the invalid ones go to `rejected`. An entry with neither a request field
 * (`q`) nor a wake field (`w`) is rejected as a whole. `replyPrefix` is `{ns}:reply:{` as bytes.
 */
export function parseRequests(fields: Buffer[], replyPrefix: Buffer, rejected: Rejected[]): ReadRequest[] {
  const requests: ReadRequest[] = []
  let known = false
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!
    if (name.length !== 1) continue
    if (name[0] === Q) {
      known = true
      const value = fields[i + 1]!
      if (value.length === 0) rejected.push(refused('an empty request field', value))
      else readRequests(value, replyPrefix, requests, rejected)
    } else if (name[0] === W) {
      known = true
    }
  }
  if (!known) rejected.push(refused('the entry holds no request field (q)', fields[1] ?? Buffer.alloc(0)))
  return requests
}

function refused(reason: string, record: Buffer): Rejected {
  return { reason, id: undefined, replyTo: undefined, method: undefined, record }
}

/** Appends the requests of one field value to `out`, and the records that fail validation to `rejected`. */
function readRequests(value: Buffer, replyPrefix: Buffer, out: ReadRequest[], rejected: Rejected[]): void {
  let offset = 0
  while (offset < value.length) {
    const start = offset
    const nl = value.indexOf(NEWLINE, offset)
    // Without its framing, where the next record starts is unknown: the rest of the field is refused as one.
    if (nl < 0) {
      rejected.push(refused('a record header without its newline', value.subarray(start)))
      return
    }
    if (!splitHeader(value, offset, nl, REQUEST_FIELDS)) {
      rejected.push(refused(`a record header without ${REQUEST_FIELDS} tab-separated fields`, value.subarray(start)))
      return
    }
    // The metadata bytes come first, then the params: their lengths are header fields 8 and 7.
    const metadata = bytesAt(value, nl + 1, integer(value, 8))
    const params = metadata === null ? null : bytesAt(value, nl + 1 + (metadata?.length ?? 0), integer(value, 7))
    if (metadata === null || params === null) {
      rejected.push(
        answerable('params or metadata length is not -1 or a length within the record', value, replyPrefix, start),
      )
      return
    }
    offset = nl + 1 + (metadata?.length ?? 0) + (params?.length ?? 0)
    const timeLeftMs = integer(value, 3)
    const attempt = integer(value, 5)
    const replyMaxLength = integer(value, 6)
    const problem = headerProblem(value, replyPrefix, timeLeftMs, attempt, replyMaxLength)
    if (problem !== undefined) {
      rejected.push(answerable(problem, value, replyPrefix, start, offset))
      continue
    }
    out.push({
      id: text(value, 0),
      replyTo: text(value, 1),
      method: text(value, 2),
      timeLeftMs,
      codec: text(value, 4),
      attempt,
      replyMaxLength,
      metadata,
      params,
    })
  }
}

/**
 * What is wrong with the header split into `starts`, or undefined when nothing is: every field in its range. Only a
 * failing record builds a string.
 */
function headerProblem(
  value: Buffer,
  replyPrefix: Buffer,
  timeLeftMs: number,
  attempt: number,
  replyMaxLength: number,
): string | undefined {
  if (!inLength(0, MAX_ID_BYTES)) return `the request id must be 1 to ${MAX_ID_BYTES} bytes`
  if (!isReplyAddress(value, replyPrefix)) return `the reply address is not a reply stream of this namespace`
  if (!inLength(2, MAX_METHOD_BYTES)) return `the method must be 1 to ${MAX_METHOD_BYTES} bytes`
  if (!(timeLeftMs >= 1 && timeLeftMs <= MAX_TIMER_MS))
    return `the time left must be an integer from 1 to ${MAX_TIMER_MS}`
  if (!inLength(4, MAX_CODEC_BYTES)) return `the codec name must be 1 to ${MAX_CODEC_BYTES} bytes`
  if (!(attempt >= 1)) return 'the attempt must be a positive integer'
  if (!(replyMaxLength >= 1 && replyMaxLength <= MAX_REPLY_LENGTH)) {
    return `the reply stream cap must be an integer from 1 to ${MAX_REPLY_LENGTH}`
  }
  return undefined
}

function inLength(k: number, max: number): boolean {
  const length = fieldLength(k)
  return length >= 1 && length <= max
}

/**
 * Whether header field 1 is `{ns}:reply:{tag}` for this namespace, with a non-empty tag holding no brace: a reply
 * then lands only in a caller's reply stream, never in an inbox or any other key.
 */
function isReplyAddress(value: Buffer, prefix: Buffer): boolean {
  const from = starts[1]!
  const end = starts[2]! - 1
  if (end - from > MAX_REPLY_TO_BYTES || end - from < prefix.length + 2 || value[end - 1] !== CLOSE) return false
  if (value.compare(prefix, 0, prefix.length, from, from + prefix.length) !== 0) return false
  for (let i = from + prefix.length; i < end - 1; i++) {
    if (value[i] === OPEN || value[i] === CLOSE) return false
  }
  return true
}

/**
 * A rejected record from `start` to `end` whose header split into `starts`: its id and reply address are kept when
 * valid, so its caller can be told.
 */
function answerable(reason: string, value: Buffer, replyPrefix: Buffer, start: number, end = value.length): Rejected {
  const replyTo = inLength(0, MAX_ID_BYTES) && isReplyAddress(value, replyPrefix) ? text(value, 1) : undefined
  return {
    reason,
    id: replyTo === undefined ? undefined : text(value, 0),
    replyTo,
    method: inLength(2, MAX_METHOD_BYTES) ? text(value, 2) : undefined,
    record: value.subarray(start, end),
  }
}
