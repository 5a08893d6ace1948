/** The q-quantile (0..1) of samples already sorted ascending, nearest-rank; NaN for none. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN
}

/** The q-quantile (0..1) of unsorted samples, nearest-rank; NaN for none. */
export function percentile(samples: readonly number[], q: number): number {
  return quantile(
    [...samples].sort((a, b) => a - b),
    q,
  )
}

/** Throughput and latency of one load run. */
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
  const latencies = new Float64Array(total)
  let next = 0
  let finished = 0
  const start = performance.now()
  const worker = async () => {
    while (next < total) {
      const i = next++
      const t0 = performance.now()
      await call(i)
      latencies[finished++] = performance.now() - t0
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  const elapsed = performance.now() - start
  latencies.sort()
  return { callsPerSecond: total / (elapsed / 1000), p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) }
}
