import type { Codec } from '@org/transport'
import { decodeValue, encodeValue, redRpcCodec } from './codec.js'

/**
 * The codec RedRpc gives its transport. The facade encodes params (in `ServiceClient`) and results (in
 * `LocalProvider`) itself, with `encodeValue`, so that a refusal is a `CodecError` naming the path, thrown before
 * anything is sent, and a retried call reuses its bytes. The transport thus meets text already encoded, which this
 * codec passes through; what the facade does not pre-encode (metadata, the transport's error records) is never a
 * string, and is encoded here. Same `name` as `redRpcCodec`: the bytes are the same.
 */
export const wireCodec: Codec = {
  name: redRpcCodec.name,
  encode: (value) => (typeof value === 'string' ? value : encodeValue(value, 'value')),
  decode: (data) => decodeValue(data.toString('utf8')),
}
