/**
 * Reading the tab-separated header line of a wire record in place (see wire.ts for the format). Records are read on
 * every call, and on a small machine the code runs cold between calls, so the readers allocate only what they return:
 * no split array, no numbers as strings, no callback per record.
 */

export const NEWLINE = 0x0a
const TAB = 0x09
const MINUS = 0x2d
export const ZERO = 0x30

/** Fields of a request header, and of a reply header. */
export const REQUEST_FIELDS = 9
export const REPLY_FIELDS = 3
/**
 * Most digits an integer field may have: 15 digits always fit a double exactly, so a longer number (a huge or forged
 * one) is refused rather than rounded.
 */
const MAX_DIGITS = 15

/** Where each header field starts, reused by every parse: field k spans [starts[k], starts[k + 1] - 1). */
export const starts = new Int32Array(REQUEST_FIELDS + 1)

/**
 * Finds the header fields of the record starting at `offset` (tab-separated, ending at newline `nl`): fills `starts`
 * so that field k spans [starts[k], starts[k + 1] - 1). Returns false unless there are exactly `count` fields.
 */
export function splitHeader(value: Buffer, offset: number, nl: number, count: number): boolean {
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

/** Length in bytes of header field k. */
export function fieldLength(k: number): number {
  return starts[k + 1]! - starts[k]! - 1
}

/** Header field k as text. */
export function text(value: Buffer, k: number): string {
  return value.toString('utf8', starts[k]!, starts[k + 1]! - 1)
}

/** Header field k as an integer (a leading minus allowed, at most 15 digits); NaN when it is not one. */
export function integer(value: Buffer, k: number): number {
  let i = starts[k]!
  const end = starts[k + 1]! - 1
  const negative = value[i] === MINUS
  if (negative) i++
  if (i >= end || end - i > MAX_DIGITS) return Number.NaN
  let n = 0
  for (; i < end; i++) {
    const digit = value[i]! - ZERO
    if (digit < 0 || digit > 9) return Number.NaN
    n = n * 10 + digit
  }
  return negative ? -n : n
}

/** The `length` bytes at `offset` (undefined for -1), or null when they run past the value (a malformed record). */
export function bytesAt(value: Buffer, offset: number, length: number): Buffer | undefined | null {
  if (length === -1) return undefined
  if (!(length >= 0) || offset + length > value.length) return null
  return value.subarray(offset, offset + length)
}
