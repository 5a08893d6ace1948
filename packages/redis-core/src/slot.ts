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

function crc16(text: string, from: number, to: number): number {
  let crc = 0
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i)
    // Beyond ASCII the UTF-8 bytes differ from the char codes: hash the encoded bytes instead.
    if (c > 0x7f) return crc16Bytes(Buffer.from(text.slice(from, to), 'utf8'))
    crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ c) & 0xff]!
  }
  return crc
}

function crc16Bytes(bytes: Uint8Array): number {
  let crc = 0
  for (const b of bytes) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ b) & 0xff]!
  return crc
}

/** The Cluster slot of a key, as Redis computes it. */
export function keySlot(key: string): number {
  const open = key.indexOf('{')
  if (open >= 0) {
    const close = key.indexOf('}', open + 1)
    if (close > open + 1) return crc16(key, open + 1, close) % SLOTS
  }
  return crc16(key, 0, key.length) % SLOTS
}
