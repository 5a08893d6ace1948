/**
 * `pnpm --filter @org/bench bench balancer`: pick throughput of every policy at 10, 100 and 1,000 endpoints
 * (each policy in its own process), then the tail-latency simulation. Prints Markdown tables and exits non-zero
 * when a target of issue 3 is missed: >= 1,000,000 picks/s at 100 endpoints with no heap growth per pick, and
 * P2C's p99 at most a third of RoundRobin's.
 */
import { spawnSync } from 'node:child_process'
import { cpus, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { listPolicies } from '@org/balancer'
import { SCENARIOS, SIMULATION_SETUP, type SimulationResult, simulate } from './simulation.js'
import type { ThroughputResult } from './throughput.js'

const TARGET_PICKS_PER_S = 1_000_000
const TARGET_SIZE = 100
/** Heap growth per pick above which we call it a leak: far below one object per pick. */
const MAX_RETAINED_BYTES_PER_PICK = 1

const here = dirname(fileURLToPath(import.meta.url))
const policies = listPolicies()
const failures: string[] = []

function format(n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

function throughputOf(policy: string): ThroughputResult[] {
  const child = spawnSync(process.execPath, [...process.execArgv, join(here, 'throughput.ts'), policy], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  if (child.status !== 0) throw new Error(`throughput run of ${policy} failed with status ${child.status}`)
  return child.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ThroughputResult)
}

const cpu = cpus()[0]?.model ?? 'unknown CPU'
console.log(
  `machine: ${cpu}, ${cpus().length} cores, Node ${process.version}, load average at start ${loadavg()[0]!.toFixed(2)}`,
)

console.log(
  '\n### pick + onStart + onEnd throughput (default options, each policy in its own process, best of 5 rounds)\n',
)
console.log(
  '| policy | endpoints | picks/s (CPU time) | picks/s (wall, best) | picks/s (wall, median) | minor GCs per 1M picks | heap retained per pick |',
)
console.log('|---|---:|---:|---:|---:|---:|---:|')
for (const policy of policies) {
  for (const r of throughputOf(policy)) {
    const gcsPerMillion = (r.minorGcs / r.picks) * 1e6
    console.log(
      `| ${policy} | ${format(r.endpoints)} | ${format(r.bestCpuPerS)} | ${format(r.bestPerS)} | ${format(r.medianPerS)} | ${gcsPerMillion.toFixed(1)} | ${r.retainedBytesPerPick.toFixed(3)} B |`,
    )
    if (r.endpoints === TARGET_SIZE && r.bestCpuPerS < TARGET_PICKS_PER_S) {
      failures.push(
        `${policy}: ${format(r.bestCpuPerS)} picks/s at ${TARGET_SIZE} endpoints < ${format(TARGET_PICKS_PER_S)}`,
      )
    }
    if (r.retainedBytesPerPick > MAX_RETAINED_BYTES_PER_PICK) {
      failures.push(`${policy}: heap grows ${r.retainedBytesPerPick.toFixed(2)} B per pick at ${r.endpoints} endpoints`)
    }
  }
}
console.log(
  `\ntarget: >= ${format(TARGET_PICKS_PER_S)} picks/s of CPU time at ${TARGET_SIZE} endpoints (what a pick costs; wall time also counts other processes on a busy machine), heap retained per pick <= ${MAX_RETAINED_BYTES_PER_PICK} B`,
)
console.log(`load average at end ${loadavg()[0]!.toFixed(2)}`)

console.log(`\n### tail latency simulation: ${SIMULATION_SETUP}`)
for (const scenario of SCENARIOS) {
  console.log(`\n${scenario.name}:\n`)
  console.log('| policy | p50 ms | p99 ms | p99.9 ms | requests to the slow endpoint |')
  console.log('|---|---:|---:|---:|---:|')
  const results = new Map<string, SimulationResult>()
  for (const policy of policies) {
    const r = simulate(policy, scenario)
    results.set(policy, r)
    console.log(
      `| ${policy} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.p999.toFixed(1)} | ${(r.slowShare * 100).toFixed(2)} % |`,
    )
  }
  const p2c = results.get('P2C')!.p99
  const roundRobin = results.get('RoundRobin')!.p99
  const ratio = p2c / roundRobin
  console.log(`\nP2C p99 / RoundRobin p99 = ${ratio.toFixed(2)} (target <= 0.33)`)
  if (ratio > 1 / 3)
    failures.push(`${scenario.name}: P2C p99 ${p2c.toFixed(1)} ms > RoundRobin's ${roundRobin.toFixed(1)} ms / 3`)
}

console.log('')
if (failures.length > 0) {
  console.log(`targets missed:\n- ${failures.join('\n- ')}`)
  process.exitCode = 1
} else {
  console.log('all targets met')
}
