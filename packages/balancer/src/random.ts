import { mix32 } from './hash.js'
import type { RandomSource } from './types.js'

const GOLDEN_GAMMA = 0x9e3779b9
const TWO_POW_32 = 2 ** 32

/**
 * A small deterministic random source (a Weyl sequence through a 32-bit finaliser) for tests and simulations:
 * the same seed gives the same sequence on every machine. Not for anything security-related.
 */
export function seededRandom(seed: number): RandomSource {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`)
  let state = seed | 0
  return () => {
    state = (state + GOLDEN_GAMMA) | 0
    return mix32(state) / TWO_POW_32
  }
}
