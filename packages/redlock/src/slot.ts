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

/** The slot of a hash tag: `text` from `from` to `to` (exclusive). */
export function slotOfTag(text: string, from: number, to: number): number {
  return crc16(text, from, to) % SLOTS
}

/** The Cluster slot of a key. */
export function slotOf(key: string): number {
  const open = key.indexOf('{')
  if (open >= 0) {
    const close = key.indexOf('}', open + 1)
    if (close > open + 1) return crc16(key, open + 1, close) % SLOTS
  }
  return crc16(key, 0, key.length) % SLOTS
}

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz'

/**
 * For every slot, a short tag that hashes to it: the smallest number that does, written in base 36 ("0", "1", ...,
 * "z", "10", ...). The mapping is part of the key layout (it names the fencing counters), so it must never change.
 * Numerals are walked in numeric order with the CRC of each prefix carried down, so a candidate costs one table step
 * (about 90,000 candidates; 10-20 ms on a small VM, once per process).
 */
export function slotTags(): string[] {
  const smallest = new Int32Array(SLOTS).fill(-1)
  let left = SLOTS
  const walk = (length: number, depth: number, crc: number, value: number): void => {
    // Only a one-digit numeral starts with 0.
    for (let d = depth === 0 && length > 1 ? 1 : 0; d < DIGITS.length && left > 0; d++) {
      const next = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ DIGITS.charCodeAt(d)) & 0xff]!
      const numeral = value * DIGITS.length + d
      if (depth + 1 < length) walk(length, depth + 1, next, numeral)
      else if (smallest[next % SLOTS] === -1) {
        smallest[next % SLOTS] = numeral
        left--
      }
    }
  }
  for (let length = 1; left > 0; length++) walk(length, 0, 0, 0)
  return Array.from(smallest, (n) => n.toString(36))
}
