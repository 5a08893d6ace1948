import { Packr } from 'msgpackr'
import { CodecError } from './errors.js'

/** Turns values into bytes and back. Both ends must know a codec by the same `name`. */
export interface Codec {
  /** Sent with every request so the provider decodes with the same codec; `json` and `msgpack` are built in. */
  readonly name: string
  /** Throws when the value cannot be encoded. */
  encode(value: unknown): Buffer | Uint8Array | string
  /** Throws when the bytes are not a valid encoding. */
  decode(data: Buffer): unknown
}

/** How a codec is chosen in options. */
export type CodecOption = 'json' | 'msgpack' | Codec

/** How a value was reached from the root: an array index, an object key, or a Map key. */
type Step = number | string | { mapKey: unknown }

/** `value.a[2].get(k)`, for messages. */
function pathOf(trail: Step[]): string {
  let path = 'value'
  for (const step of trail) {
    if (typeof step === 'number') path += `[${step}]`
    else if (typeof step === 'string') path += `.${step}`
    else path += `.get(${String(step.mapKey)})`
  }
  return path
}

/**
 * Refuses what a codec would silently drop or choke on: functions and symbols (dropped by both), cycles (JSON throws,
 * msgpack overflows the stack) and, for JSON, BigInt. The message names the offending value's path, which is built
 * only then: `trail` holds the steps to the current value, so the walk itself creates no strings. A cycle is an
 * object among its own `ancestors`: a short array to scan, where a Set per call would cost more for usual payloads.
 */
function assertEncodable(value: unknown, allowBigInt: boolean, trail: Step[], ancestors: object[]): void {
  const type = typeof value
  if (type === 'function' || type === 'symbol') {
    throw new CodecError(`${pathOf(trail)} is a ${type}, which cannot be encoded`)
  }
  if (type === 'bigint' && !allowBigInt) throw new CodecError(`${pathOf(trail)} is a BigInt, which JSON cannot encode`)
  if (type !== 'object' || value === null) return
  const obj = value as object
  if (ArrayBuffer.isView(obj) || obj instanceof Date) return
  if (ancestors.includes(obj)) {
    throw new CodecError(`${pathOf(trail)} refers back to itself (a cycle), which cannot be encoded`)
  }
  ancestors.push(obj)
  if (Array.isArray(obj)) {
    for (let i = 0; i < obj.length; i++) {
      trail.push(i)
      assertEncodable(obj[i], allowBigInt, trail, ancestors)
      trail.pop()
    }
  } else if (obj instanceof Map) {
    for (const [k, v] of obj) {
      trail.push({ mapKey: k })
      assertEncodable(v, allowBigInt, trail, ancestors)
      trail.pop()
    }
  } else {
    for (const key of Object.keys(obj)) {
      trail.push(key)
      assertEncodable((obj as Record<string, unknown>)[key], allowBigInt, trail, ancestors)
      trail.pop()
    }
  }
  ancestors.pop()
}

/** JSON: readable in `redis-cli`, the default. */
export const jsonCodec: Codec = {
  name: 'json',
  encode(value) {
    assertEncodable(value, false, [], [])
    return JSON.stringify(value)
  },
  decode(data) {
    return JSON.parse(data.toString('utf8'))
  },
}

// Records (msgpackr's shared structures) would need both ends to share state; plain maps keep any peer able to read.
const packr = new Packr({ useRecords: false })

/** MessagePack via msgpackr: smaller and faster than JSON, keeps Buffers, Dates and BigInts (up to 64 bits). */
export const msgpackCodec: Codec = {
  name: 'msgpack',
  encode(value) {
    assertEncodable(value, true, [], [])
    return packr.pack(value)
  },
  decode(data) {
    return packr.unpack(data)
  },
}

const builtIn: Record<string, Codec> = { json: jsonCodec, msgpack: msgpackCodec }

/** The codec an option names; throws a TypeError naming `what` when it is neither built in nor a codec object. */
export function resolveCodec(option: unknown, what: string): Codec {
  if (typeof option === 'string') {
    const codec = builtIn[option]
    if (codec) return codec
    throw new TypeError(`${what} must be 'json', 'msgpack' or a codec object, got '${option}'`)
  }
  const c = option as Partial<Codec> | null
  if (
    typeof c === 'object' &&
    c !== null &&
    typeof c.name === 'string' &&
    c.name.length > 0 &&
    typeof c.encode === 'function' &&
    typeof c.decode === 'function'
  ) {
    return c as Codec
  }
  throw new TypeError(`${what} must be 'json', 'msgpack' or an object with name, encode and decode`)
}

/** A codec known by name: the configured one first, then the built-ins. */
export function codecNamed(name: string, configured: Codec): Codec | undefined {
  return name === configured.name ? configured : builtIn[name]
}

/** Encoded bytes, or a string (UTF-8) which Redis takes as is and spares a copy. */
export type Encoded = Buffer | string

/** Encodes `value`; every failure becomes a CodecError naming `what` (e.g. `params`). */
export function encodeWith(codec: Codec, value: unknown, what: string): Encoded {
  let out: Buffer | Uint8Array | string
  try {
    out = codec.encode(value)
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/^value/, what) : String(err)
    throw new CodecError(`${what} cannot be encoded with the ${codec.name} codec: ${reason}`, { notExecuted: true })
  }
  if (typeof out === 'string' || Buffer.isBuffer(out)) return out
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength)
}

/** Size in bytes of an encoded value. */
export function byteSize(encoded: Encoded): number {
  return typeof encoded === 'string' ? Buffer.byteLength(encoded) : encoded.length
}

/** Decodes bytes; failures become a CodecError naming `what`. */
export function decodeWith(codec: Codec, data: Buffer, what: string): unknown {
  try {
    return codec.decode(data)
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    throw new CodecError(`${what} cannot be decoded with the ${codec.name} codec: ${reason}`)
  }
}
