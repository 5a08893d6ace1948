import type { EndpointTable } from '../EndpointTable.js'
import type { RandomSource } from '../types.js'

/** A uniform index in [0, n), safe against a random source that returns 1. */
export function randomIndex(random: RandomSource, n: number): number {
  const index = Math.floor(random() * n)
  return index < n ? index : n - 1
}

/** Weighted random index among the endpoints of weight > 0 not in `exclude`, or -1 when there is none. */
export function weightedDraw<S>(
  table: EndpointTable<S>,
  exclude: ReadonlySet<string> | undefined,
  random: RandomSource,
): number {
  const { weights, ids } = table
  const n = weights.length
  if (exclude === undefined || exclude.size === 0)
    return drawCumulative(table.cumulative, weights, table.totalWeight * random())
  let total = 0
  for (let i = 0; i < n; i++) if (weights[i]! > 0 && !exclude.has(ids[i]!)) total += weights[i]!
  if (total === 0) return -1
  let rest = total * random()
  let last = -1
  for (let i = 0; i < n; i++) {
    const weight = weights[i]!
    if (weight === 0 || exclude.has(ids[i]!)) continue
    if (rest < weight) return i
    rest -= weight
    last = i
  }
  return last
}

/** Weighted random index among `scratch[0..count)`. */
export function weightedDrawAmong(
  scratch: Int32Array,
  count: number,
  weights: Float64Array,
  random: RandomSource,
): number {
  let total = 0
  for (let k = 0; k < count; k++) total += weights[scratch[k]!]!
  let rest = total * random()
  for (let k = 0; k < count - 1; k++) {
    const weight = weights[scratch[k]!]!
    if (rest < weight) return scratch[k]!
    rest -= weight
  }
  return scratch[count - 1]!
}

/** First index whose running total exceeds `target`: a weighted draw in O(log n); weight-0 entries never match. */
function drawCumulative(cumulative: Float64Array, weights: Float64Array, target: number): number {
  let lo = 0
  let hi = cumulative.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (cumulative[mid]! > target) hi = mid
    else lo = mid + 1
  }
  // Only rounding (target == total) can land here on a weight-0 entry: step back to a real one.
  while (lo > 0 && weights[lo] === 0) lo--
  return lo
}
