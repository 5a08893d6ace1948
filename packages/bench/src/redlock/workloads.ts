import type { Contender } from './contenders.js'
import { max, percentile } from './stats.js'

const TTL = 10_000
let serial = 0

function freshResource(): string {
  serial++
  return `bench-${serial}`
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** L1 result. */
export interface L1Result {
  opsPerSec: number
  p50: number
  p99: number
}

/** L1: one caller, acquire + release of a fresh resource in a loop. Latency is of the pair. */
export async function l1(contender: Contender, durationMs: number): Promise<L1Result> {
  const samples: number[] = []
  const end = performance.now() + durationMs
  while (performance.now() < end) {
    const t0 = performance.now()
    const lock = await contender.acquire(freshResource(), TTL)
    await lock.release()
    samples.push(performance.now() - t0)
  }
  return { opsPerSec: samples.length / (durationMs / 1000), p50: percentile(samples, 50), p99: percentile(samples, 99) }
}

/** L2: 64 concurrent workers, each its own resource. */
export async function l2(contender: Contender, durationMs: number, workers = 64): Promise<{ opsPerSec: number }> {
  let ops = 0
  const end = performance.now() + durationMs
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < end) {
        const lock = await contender.acquire(freshResource(), TTL)
        await lock.release()
        ops++
      }
    }),
  )
  return { opsPerSec: ops / (durationMs / 1000) }
}

/** L3 result. */
export interface L3Result {
  acquisitionsPerSec: number
  handoffP50: number
  handoffP99: number
  waitP99: number
  waitMax: number
  overlaps: number
  failures: number
}

/**
 * L3: 16 workers on ONE resource; each holds it about 1 ms (a timer), releases, waits about 1 ms outside, and asks
 * again. Hand-off is from the moment a holder starts its release to the moment a different worker holds the lock.
 */
export async function l3(contender: Contender, durationMs: number, workers = 16): Promise<L3Result> {
  const resource = freshResource()
  const handoffs: number[] = []
  const waits: number[] = []
  let acquisitions = 0
  let failures = 0
  let inside = 0
  let overlaps = 0
  let lastRelease: { worker: number; at: number } | undefined
  const end = performance.now() + durationMs
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (performance.now() < end) {
        const asked = performance.now()
        let lock: Awaited<ReturnType<Contender['acquire']>>
        try {
          lock = await contender.acquire(resource, TTL)
        } catch {
          failures++
          continue
        }
        const got = performance.now()
        inside++
        if (inside > 1) overlaps++
        waits.push(got - asked)
        if (lastRelease && lastRelease.worker !== worker) handoffs.push(got - lastRelease.at)
        acquisitions++
        await sleep(1)
        inside--
        lastRelease = { worker, at: performance.now() }
        await lock.release()
        await sleep(1)
      }
    }),
  )
  return {
    acquisitionsPerSec: acquisitions / (durationMs / 1000),
    handoffP50: percentile(handoffs, 50),
    handoffP99: percentile(handoffs, 99),
    waitP99: percentile(waits, 99),
    waitMax: max(waits),
    overlaps,
    failures,
  }
}
