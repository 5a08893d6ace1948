/**
 * Measures pick + onStart + onEnd throughput of one policy over lists of 10, 100 and 1,000 endpoints, and
 * whether picking allocates: minor GCs during the timed loop, and heap retained after a full GC. Run as its own
 * process per policy (`node --expose-gc throughput.ts <policy>`), so one policy's JIT state does not colour the
 * next; prints one JSON line per size.
 */
import { constants, PerformanceObserver } from 'node:perf_hooks'
import { createBalancer, type Endpoint, type Outcome, type PickContext } from '@org/balancer'

export const SIZES = [10, 100, 1_000]
const ROUNDS = 5
const ROUND_MS = 250

export interface ThroughputResult {
  policy: string
  endpoints: number
  /** Best round, picks per second of wall time. */
  bestPerS: number
  /** Median round, picks per second of wall time. */
  medianPerS: number
  /** Best round, picks per second of this process's CPU time: what a pick costs, even on a busy machine. */
  bestCpuPerS: number
  /** Minor (scavenge) GCs while the rounds ran, and how many picks those rounds made. */
  minorGcs: number
  picks: number
  /** Heap growth per pick after a full GC, bytes (about 0 when nothing is retained per pick). */
  retainedBytesPerPick: number
}

async function measure(policy: string, size: number): Promise<ThroughputResult> {
  const endpoints: Endpoint[] = Array.from({ length: size }, (_, i) => ({
    id: `node-${i}`,
    metadata: { address: `10.0.${i >> 8}.${i & 255}:7000` },
  }))
  // Default options (Math.random, the default clock): what a service gets from createBalancer(name).
  const lb = createBalancer(policy)
  const contexts: PickContext[] = Array.from({ length: 1024 }, (_, i) => ({ key: `user-${i}` }))
  const latencies = Float64Array.from({ length: 1024 }, (_, i) => 1 + ((i * 7919) % 50))
  const outcome: Outcome = { latencyMs: 0, ok: true }
  let sink = 0
  const run = (picks: number) => {
    for (let i = 0; i < picks; i++) {
      const endpoint = lb.pick(endpoints, contexts[i & 1023])!
      lb.onStart(endpoint)
      outcome.latencyMs = latencies[i & 1023]!
      lb.onEnd(endpoint, outcome)
      sink += endpoint.id.length
    }
  }
  // Warm up until the JIT has settled, then size a round to about ROUND_MS.
  run(200_000)
  let batch = 10_000
  for (;;) {
    const started = performance.now()
    run(batch)
    const elapsed = performance.now() - started
    if (elapsed > ROUND_MS / 4) {
      batch = Math.ceil((batch * ROUND_MS) / elapsed)
      break
    }
    batch *= 2
  }
  run(batch)

  let minorGcs = 0
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) minorGcs++
  })
  observer.observe({ entryTypes: ['gc'] })
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  const heapBefore = process.memoryUsage().heapUsed
  const rates: number[] = []
  let bestCpuPerS = 0
  for (let r = 0; r < ROUNDS; r++) {
    const started = performance.now()
    const cpu = process.cpuUsage()
    run(batch)
    const used = process.cpuUsage(cpu)
    rates.push(batch / ((performance.now() - started) / 1000))
    bestCpuPerS = Math.max(bestCpuPerS, batch / ((used.user + used.system) / 1e6))
  }
  gc?.()
  const heapAfter = process.memoryUsage().heapUsed
  // GC entries are delivered asynchronously: let them arrive before counting.
  await new Promise((resolve) => setTimeout(resolve, 50))
  observer.disconnect()
  if (sink === 0) console.error('unreachable')
  rates.sort((a, b) => a - b)
  return {
    policy,
    endpoints: size,
    bestPerS: rates[rates.length - 1]!,
    medianPerS: rates[Math.floor(rates.length / 2)]!,
    bestCpuPerS,
    minorGcs,
    picks: batch * ROUNDS,
    retainedBytesPerPick: (heapAfter - heapBefore) / (batch * ROUNDS),
  }
}

const policy = process.argv[2]
if (policy !== undefined && process.argv[1]?.endsWith('throughput.ts')) {
  for (const size of SIZES) {
    const result = await measure(policy, size)
    console.log(JSON.stringify(result))
  }
}
