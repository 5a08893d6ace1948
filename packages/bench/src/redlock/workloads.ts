import type { Contender } from './contenders.js'

const TTL = 10_000
let serial = 0

function freshResource(): string {
  serial++
  return `bench-${process.pid}-${serial}`
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Raw counts of one run (or of several runs merged). */
export interface Samples {
  ms: number
  ops: number
  /** L1: latency of each acquire + release pair. */
  latencies: number[]
  /** L3: from a holder starting its release to a different worker holding the lock. */
  handoffs: number[]
  /** L3: from asking to holding. */
  waits: number[]
  overlaps: number
  failures: number
}

/** Nothing measured yet. */
export function emptySamples(): Samples {
  return { ms: 0, ops: 0, latencies: [], handoffs: [], waits: [], overlaps: 0, failures: 0 }
}

/** Adds one run's samples to a total. */
export function merge(into: Samples, run: Samples): void {
  into.ms += run.ms
  into.ops += run.ops
  into.latencies.push(...run.latencies)
  into.handoffs.push(...run.handoffs)
  into.waits.push(...run.waits)
  into.overlaps += run.overlaps
  into.failures += run.failures
}

/** L1: one caller, acquire + release of a fresh resource in a loop. */
export async function l1(contender: Contender, durationMs: number): Promise<Samples> {
  const s = emptySamples()
  const start = performance.now()
  const end = start + durationMs
  while (performance.now() < end) {
    const t0 = performance.now()
    const lock = await contender.acquire(freshResource(), TTL)
    await lock.release()
    s.latencies.push(performance.now() - t0)
    s.ops++
  }
  s.ms = performance.now() - start
  return s
}

/** L2: 64 concurrent workers, each its own resource. */
export async function l2(contender: Contender, durationMs: number, workers = 64): Promise<Samples> {
  const s = emptySamples()
  const start = performance.now()
  const end = start + durationMs
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < end) {
        const lock = await contender.acquire(freshResource(), TTL)
        await lock.release()
        s.ops++
      }
    }),
  )
  s.ms = performance.now() - start
  return s
}

/**
 * L3: 16 workers on ONE resource; each holds it about 1 ms (a timer), releases, waits about 1 ms outside, and asks
 * again. A failed acquire (a peer giving up after its retries) is counted and asked again; its wait goes on.
 */
export async function l3(contender: Contender, durationMs: number, workers = 16): Promise<Samples> {
  const s = emptySamples()
  const resource = freshResource()
  let inside = 0
  let lastRelease: { worker: number; at: number } | undefined
  const start = performance.now()
  const end = start + durationMs
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      let asked: number | undefined
      while (performance.now() < end) {
        // A wait runs from the first ask to holding: a failed acquire (counted) is asked again and its time stays in.
        asked ??= performance.now()
        let lock: Awaited<ReturnType<Contender['acquire']>>
        try {
          lock = await contender.acquire(resource, TTL, end)
        } catch {
          // An acquire cut short by the end of the run is not a failure of the lock.
          if (performance.now() < end) s.failures++
          continue
        }
        const got = performance.now()
        inside++
        if (inside > 1) s.overlaps++
        s.waits.push(got - asked)
        asked = undefined
        if (lastRelease && lastRelease.worker !== worker) s.handoffs.push(got - lastRelease.at)
        s.ops++
        await sleep(1)
        inside--
        lastRelease = { worker, at: performance.now() }
        await lock.release()
        await sleep(1)
      }
    }),
  )
  s.ms = performance.now() - start
  return s
}
