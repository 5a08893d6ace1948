import type { Codec } from '@org/transport'

const TAG = '$bigint'

const replacer = (_key: string, v: unknown) => (typeof v === 'bigint' ? { [TAG]: v.toString() } : v)

const reviver = (_key: string, v: unknown) => {
  if (v !== null && typeof v === 'object') {
    const tagged = (v as Record<string, unknown>)[TAG]
    if (typeof tagged === 'string' && Object.keys(v).length === 1) return BigInt(tagged)
  }
  return v
}

/**
 * JSON that keeps BigInts: a handler may return `ctx.lock.fencingToken` (a bigint) as the user's scenario does, and
 * the caller gets a bigint back. A bigint travels as `{ "$bigint": "<decimal>" }`. Callers and providers of RedRpc
 * both use it, so it needs no configuration. The replacer and reviver only run when a bigint is there, so plain
 * payloads cost what plain JSON costs.
 */
export const redRpcCodec: Codec = {
  name: 'redrpc-json',
  encode(value) {
    try {
      return JSON.stringify(value) ?? 'null'
    } catch (err) {
      if (!(err instanceof TypeError && /BigInt/i.test(err.message))) throw err
      return JSON.stringify(value, replacer) ?? 'null'
    }
  },
  decode(data) {
    const text = data.toString('utf8')
    return text.includes(TAG) ? JSON.parse(text, reviver) : JSON.parse(text)
  },
}
