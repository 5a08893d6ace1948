import { crc16Step, SLOTS } from '@org/redis-core'

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz'

/**
 * For every Cluster slot, a short tag that hashes to it: the smallest number that does, written in base 36 ("0",
 * "1", ..., "z", "10", ...). The mapping is part of the key layout (it names the fencing counters, which live on in
 * users' Redis), so it must never change. Numerals are walked in numeric order with the CRC of each prefix carried
 * down, so a candidate costs one CRC step (about 90,000 candidates; 10-20 ms on a small VM, once per process).
 */
export function slotTags(): string[] {
  const smallest = new Int32Array(SLOTS).fill(-1)
  let left = SLOTS
  const walk = (length: number, depth: number, crc: number, value: number): void => {
    // Only a one-digit numeral starts with 0.
    for (let d = depth === 0 && length > 1 ? 1 : 0; d < DIGITS.length && left > 0; d++) {
      const next = crc16Step(crc, DIGITS.charCodeAt(d))
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
