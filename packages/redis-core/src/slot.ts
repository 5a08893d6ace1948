/**
 * Redis Cluster key slots: CRC16 (XMODEM) of the key's hash tag (the text between the first `{` and the next `}`,
 * when not empty) or of the whole key, modulo 16384, over the key's UTF-8 bytes.
 */

/** How many slots a Redis Cluster has. */
export const SLOTS = 16_384

const TABLE = new Uint16Array(256)
for (let i = 0; i < 256; i++) {
  let crc = i << 8
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
  TABLE[i] = crc
}

/**
 * One step of the CRC: the CRC of some bytes followed by `byte`, from the CRC of those bytes (0 for none). For code
 * that walks many keys sharing a prefix (carrying the prefix's CRC down) instead of hashing each key from the start.
 */
export function crc16Step(crc: number, byte: number): number {
  return ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ byte) & 0xff]!
}

function crc16(text: string, from: number, to: number): number {
  let crc = 0
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i)
    // Beyond ASCII the UTF-8 bytes differ from the char codes: hash the encoded bytes instead.
    if (c > 0x7f) return crc16Bytes(Buffer.from(text.slice(from, to), 'utf8'))
    crc = crc16Step(crc, c)
  }
  return crc
}

function crc16Bytes(bytes: Uint8Array): number {
  let crc = 0
  for (const b of bytes) crc = crc16Step(crc, b)
  return crc
}

/**
 * The slot of the hash tag `text.slice(from, to)` (its UTF-8 bytes), without slicing it: for a caller that knows
 * where a key's tag is, so it need not build the key to learn its slot.
 */
export function tagSlot(text: string, from: number, to: number): number {
  return crc16(text, from, to) % SLOTS
}

/** The Cluster slot of a key, as Redis computes it. */
export function keySlot(key: string): number {
  const open = key.indexOf('{')
  if (open >= 0) {
    const close = key.indexOf('}', open + 1)
    if (close > open + 1) return tagSlot(key, open + 1, close)
  }
  return tagSlot(key, 0, key.length)
}
