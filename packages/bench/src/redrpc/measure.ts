/** Throughput and latency of one run. */
export interface Result {
  callsPerSecond: number
  p50: number
  p99: number
}

/** Keeps `inFlight` calls outstanding until `total` have finished; latencies in ms, percentiles nearest-rank. */
export async function runLoad(call: () => Promise<unknown>, total: number, inFlight: number): Promise<Result> {
  const latencies = new Float64Array(total)
  let started = 0
  let finished = 0
  const begin = performance.now()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (started < total) {
        started++
        const t0 = performance.now()
        await call()
        latencies[finished++] = performance.now() - t0
      }
    }),
  )
  const seconds = (performance.now() - begin) / 1000
  latencies.sort()
  const at = (q: number) => latencies[Math.max(0, Math.ceil(q * total) - 1)] ?? Number.NaN
  return { callsPerSecond: total / seconds, p50: at(0.5), p99: at(0.99) }
}
