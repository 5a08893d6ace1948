import type { Codec } from '@org/transport'
import { CodecError } from './codecError.js'
import { PLAIN, pathOf, Refusal, scan } from './codecScan.js'

/**
 * The wire form. A value the walk finds PLAIN is sent as its JSON text, as fast as `JSON.stringify` alone. A TAGGED
 * one (a bigint, a `-0`, a key starting with `$`, or `undefined` as the whole value) is sent as `T` followed by JSON
 * in which:
 * - a bigint is `{"$bigint":"<decimal>"}`, `-0` is `{"$number":"-0"}`, an undefined root is `{"$undefined":0}`;
 * - every key of the user's that starts with `$` gets one more `$` (`$bigint` is sent as `$$bigint`).
 * So a one-key object with a single-`$` key is always a tag, never the user's data: `{ $bigint: '42' }` arrives as
 * sent. No JSON text starts with `T`, so the reader knows the form from the first byte, without scanning.
 */
const TAGGED_PREFIX = 'T'
const T = 84 // 'T'
const DOLLAR = 36 // '$'

/** Encodes a value the walk accepted: plain JSON, or the tagged form. */
function encodeScanned(value: unknown, mode: number): string {
  if (mode === PLAIN) return JSON.stringify(value)
  if (value === undefined) return `${TAGGED_PREFIX}{"$undefined":0}`
  return TAGGED_PREFIX + JSON.stringify(value, tag)
}

function tag(_key: string, value: unknown): unknown {
  switch (typeof value) {
    case 'bigint':
      return { $bigint: value.toString() }
    case 'number':
      return value === 0 && 1 / value < 0 ? { $number: '-0' } : value
    case 'object':
      return value === null || Array.isArray(value) ? value : escapeKeys(value as Record<string, unknown>)
    default:
      return value
  }
}

/** The object with one more `$` on each `$` key; itself when it has none. Built with `fromEntries`: `__proto__` stays a key. */
function escapeKeys(obj: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(obj)
  if (!keys.some(isDollar)) return obj
  return Object.fromEntries(keys.map((k) => [isDollar(k) ? `$${k}` : k, obj[k]]))
}

function untag(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
  const obj = value as Record<string, unknown>
  const keys = Object.keys(obj)
  if (keys.length === 1) {
    const only = obj[keys[0] as string]
    switch (keys[0]) {
      case '$bigint':
        if (typeof only === 'string') return BigInt(only)
        break
      case '$number':
        if (only === '-0') return -0
        break
      case '$undefined':
        return undefined
    }
  }
  if (!keys.some(isDollar)) return obj
  // In the tagged form every `$` key of the user's was sent with one more `$`: take it off.
  return Object.fromEntries(keys.map((k) => [isDollar(k) ? k.slice(1) : k, obj[k]]))
}

function isDollar(key: string): boolean {
  return key.charCodeAt(0) === DOLLAR
}

/**
 * Encodes `value` for the wire, or throws `CodecError` naming the refused value's path from `root` (`params`,
 * `result`, ...). Nothing is sent when it throws.
 */
export function encodeValue(value: unknown, root: string): string {
  let mode: number
  try {
    mode = scan(value)
  } catch (err) {
    if (!(err instanceof Refusal)) throw err
    throw new CodecError(pathOf(root, err.steps), err.reason)
  }
  return encodeScanned(value, mode)
}

/**
 * Checks that `value` can be encoded, or throws `CodecError` as `encodeValue` would, without building the text: for
 * a value someone else encodes afterwards (the metadata, which the transport encodes), so it is walked twice at most
 * but turned into JSON once.
 */
export function assertEncodable(value: unknown, root: string): void {
  try {
    scan(value)
  } catch (err) {
    if (!(err instanceof Refusal)) throw err
    throw new CodecError(pathOf(root, err.steps), err.reason)
  }
}

/** Decodes what `encodeValue` made. */
export function decodeValue(text: string): unknown {
  return text.charCodeAt(0) === T ? JSON.parse(text.slice(1), untag) : JSON.parse(text)
}

/**
 * The codec both ends of RedRpc use (see the README's "What a call can carry"): JSON that refuses what it cannot
 * carry exactly (throwing `CodecError`) and keeps bigints and `-0`. Callers and providers must run releases that share
 * its `name`: a peer with another codec name answers with a codec error, never with a misread value.
 */
export const redRpcCodec: Codec = {
  name: 'redrpc-json2',
  encode: (value) => encodeValue(value, 'value'),
  decode: (data) => decodeValue(data.toString('utf8')),
}
