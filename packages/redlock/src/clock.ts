/**
 * Monotonic milliseconds: validity is judged by this clock only, so a wall-clock jump (NTP, manual change) can
 * neither stretch nor shrink a lock.
 */
export function now(): number {
  return performance.now()
}

/** Epoch milliseconds of a monotonic instant, for display (`lock.expiration`). */
export function toEpoch(monotonic: number): number {
  return Math.floor(performance.timeOrigin + monotonic)
}
