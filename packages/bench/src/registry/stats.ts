/** Runs `op` with `concurrency` calls in flight for `durationMs`; returns completed calls per second. */
export async function opsPerSecond(op: () => Promise<unknown>, durationMs: number, concurrency = 64): Promise<number> {
  let done = 0
  const start = performance.now()
  const end = start + durationMs
  const worker = async () => {
    while (performance.now() < end) {
      await op()
      done++
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return done / ((performance.now() - start) / 1000)
}
