/** The q-quantile (0..1) of sorted samples, nearest-rank. */
export function quantile(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN
}

/** What one scenario measured. */
export interface Measure {
  callsPerSecond: number
  p50: number
  p99: number
}

/** Runs `total` calls with `inFlight` of them outstanding at any time; latencies in ms. */
export async function measure(
  call: (i: number) => Promise<unknown>,
  total: number,
  inFlight: number,
): Promise<Measure> {
  const latencies: number[] = []
  let next = 0
  const start = performance.now()
  const worker = async () => {
    while (next < total) {
      const i = next++
      const t0 = performance.now()
      await call(i)
      latencies.push(performance.now() - t0)
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  const elapsed = performance.now() - start
  latencies.sort((a, b) => a - b)
  return { callsPerSecond: total / (elapsed / 1000), p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) }
}
