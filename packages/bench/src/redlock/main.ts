/**
 * @org/redlock against redlock@5.0.0-beta.2 and @sesamecare-oss/redlock@1.4.0 on the same 3 Redis servers, same
 * ioredis: L1 (one caller), L2 (64 workers, own resources), L3 (16 workers on one resource). The contenders take
 * turns in short rounds, so a load change on the machine hits them all alike; their samples are merged per
 * contender. Prints a table with the ratio to the best peer and the targets of issue 7.
 * Run: `pnpm --filter @org/redlock build && pnpm --filter @org/bench bench redlock`.
 */
import { startRedis } from '@org/testkit'
import type { Redis } from 'ioredis'
import { percentile } from '../shared/stats.js'
import { type Contender, ours, redlock5, sesame } from './contenders.js'
import { max } from './stats.js'
import { printTable, type Row } from './table.js'
import { emptySamples, l1, l2, l3, merge, type Samples } from './workloads.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6)
/**
 * L1 takes turns in many short slices (150 x 40 ms per contender, the same 6 s in all as 12 x 500 ms): every library
 * there is bound by the same round trips, so they end within a few percent of each other, and on a shared VM the
 * speed of one 500 ms slice varies by up to 20%. Slices of 40 ms let every slowdown of the machine fall on all
 * contenders alike, so the ratio measures the libraries rather than which one ran when.
 */
const L1_ROUNDS = Number(process.env.BENCH_L1_ROUNDS ?? 150)
const L1_SLICE_MS = Number(process.env.BENCH_L1_SLICE_MS ?? 40)
const L1_WARM_MS = Number(process.env.BENCH_L1_WARM_MS ?? 10)
const SLICE_MS = Number(process.env.BENCH_SLICE_MS ?? 500)
const L3_SLICE_MS = Number(process.env.BENCH_L3_SLICE_MS ?? 1_500)
const WARM_MS = Number(process.env.BENCH_WARM_MS ?? 100)

type Make = (clients: Redis[]) => Contender
const gc = (globalThis as { gc?: (options?: { type: 'minor' | 'major' }) => void }).gc ?? (() => {})

const group = await startRedis({ count: 3 })

/**
 * Runs the workload on every contender in turns; returns the merged samples of each. Before each measured slice the
 * young generation is emptied (a scavenge), so no contender pays for copying what another left alive, and the
 * contender runs an unmeasured warm-up. The collection is a minor one on purpose: a forced full collection before
 * every slice is something no real workload sees, and its after-effect (for about 0.25 s every library runs slower,
 * ours more than the peers) would be measured instead of the libraries.
 */
async function compare(
  makers: Make[],
  rounds: number,
  run: (c: Contender, ms: number) => Promise<Samples>,
  ms: number,
  warmMs = WARM_MS,
) {
  const contenders: { contender: Contender; clients: Redis[]; total: Samples }[] = []
  for (const make of makers) {
    const clients = group.clients()
    await Promise.all(clients.map((c) => c.ping()))
    const contender = make(clients)
    await run(contender, Math.max(ms, 500)) // warm-up: scripts loaded, code optimised
    contenders.push({ contender, clients, total: emptySamples() })
  }
  for (let round = 0; round < rounds; round++) {
    // Rotate who goes first, so no contender always runs right after the same neighbour.
    for (let k = 0; k < contenders.length; k++) {
      const entry = contenders[(round + k) % contenders.length]!
      gc({ type: 'minor' })
      await run(entry.contender, warmMs)
      merge(entry.total, await run(entry.contender, ms))
    }
  }
  for (const { contender, clients } of contenders) {
    await contender.close()
    for (const c of clients) c.disconnect()
  }
  return contenders.map(({ contender, total }) => ({ contender, total }))
}

const perSecond = (s: Samples) => s.ops / (s.ms / 1000)

try {
  const plain: Make[] = [ours, (c) => redlock5(c, 'default'), (c) => sesame(c, 'default')]
  const r1 = await compare(plain, L1_ROUNDS, l1, L1_SLICE_MS, L1_WARM_MS)
  const r2 = await compare(plain, ROUNDS, l2, SLICE_MS)
  const contended: Make[] = [
    ours,
    (c) => redlock5(c, 'default'),
    (c) => redlock5(c, 'tuned'),
    (c) => sesame(c, 'default'),
    (c) => sesame(c, 'tuned'),
  ]
  const r3 = await compare(contended, Math.max(2, Math.round(ROUNDS / 2)), l3, L3_SLICE_MS)
  const rows: Row[] = [
    {
      metric: 'L1 ops/s',
      higherIsBetter: true,
      target: { ratio: 1.0 },
      values: r1.map((r) => [r.contender, perSecond(r.total)]),
    },
    {
      metric: 'L1 p50 ms',
      higherIsBetter: false,
      values: r1.map((r) => [r.contender, percentile(r.total.latencies, 0.5)]),
    },
    {
      metric: 'L1 p99 ms',
      higherIsBetter: false,
      values: r1.map((r) => [r.contender, percentile(r.total.latencies, 0.99)]),
    },
    {
      metric: 'L2 ops/s (64 workers)',
      higherIsBetter: true,
      target: { ratio: 1.5 },
      values: r2.map((r) => [r.contender, perSecond(r.total)]),
    },
    {
      metric: 'L3 acquisitions/s',
      higherIsBetter: true,
      target: { ratio: 1.5 },
      values: r3.map((r) => [r.contender, perSecond(r.total)]),
    },
    {
      metric: 'L3 hand-off p50 ms',
      higherIsBetter: false,
      target: { below: 0.5 },
      values: r3.map((r) => [r.contender, percentile(r.total.handoffs, 0.5)]),
    },
    {
      metric: 'L3 hand-off p99 ms',
      higherIsBetter: false,
      values: r3.map((r) => [r.contender, percentile(r.total.handoffs, 0.99)]),
    },
    {
      metric: 'L3 wait p99 ms',
      higherIsBetter: false,
      target: { ratio: 0.25 },
      values: r3.map((r) => [r.contender, percentile(r.total.waits, 0.99)]),
    },
    { metric: 'L3 wait max ms', higherIsBetter: false, values: r3.map((r) => [r.contender, max(r.total.waits)]) },
    {
      metric: 'L3 overlaps',
      higherIsBetter: false,
      target: { equals: 0 },
      values: r3.map((r) => [r.contender, r.total.overlaps]),
    },
    { metric: 'L3 failed acquires', higherIsBetter: false, values: r3.map((r) => [r.contender, r.total.failures]) },
  ]
  process.exitCode = printTable(rows) ? 0 : 1
} finally {
  await group.stop()
}
