/**
 * @org/redlock against redlock@5.0.0-beta.2 and @sesamecare-oss/redlock@1.4.0 on the same 3 Redis servers, same
 * ioredis: L1 (sequential), L2 (64 parallel resources), L3 (16 workers on one resource). Prints a table with the
 * ratio to the best peer and the targets of issue 7. Run: `pnpm --filter @org/bench bench redlock`.
 */
import { startRedis } from '@org/testkit'
import { type Contender, ours, redlock5, sesame } from './contenders.js'
import { printTable, type Row } from './table.js'
import { l1, l2, l3 } from './workloads.js'

const L1_MS = Number(process.env.BENCH_L1_MS ?? 3_000)
const L2_MS = Number(process.env.BENCH_L2_MS ?? 3_000)
const L3_MS = Number(process.env.BENCH_L3_MS ?? 4_000)

const group = await startRedis({ count: 3 })
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})

async function each<T>(
  makers: ((c: ReturnType<typeof group.clients>) => Contender)[],
  run: (c: Contender) => Promise<T>,
) {
  const results: { contender: Contender; result: T }[] = []
  for (const make of makers) {
    const clients = group.clients()
    await Promise.all(clients.map((c) => c.ping()))
    const contender = make(clients)
    gc()
    await run(contender) // warm-up: scripts loaded, JIT warm
    gc()
    results.push({ contender, result: await run(contender) })
    await contender.close()
    for (const c of clients) c.disconnect()
  }
  return results
}

try {
  const plain = [
    ours,
    (c: Parameters<typeof ours>[0]) => redlock5(c, 'default'),
    (c: Parameters<typeof ours>[0]) => sesame(c, 'default'),
  ]
  const r1 = await each(plain, (c) => l1(c, L1_MS))
  const r2 = await each(plain, (c) => l2(c, L2_MS))
  const contended = [
    ours,
    (c: Parameters<typeof ours>[0]) => redlock5(c, 'default'),
    (c: Parameters<typeof ours>[0]) => redlock5(c, 'tuned'),
    (c: Parameters<typeof ours>[0]) => sesame(c, 'default'),
    (c: Parameters<typeof ours>[0]) => sesame(c, 'tuned'),
  ]
  const r3 = await each(contended, (c) => l3(c, L3_MS))
  const rows: Row[] = [
    {
      metric: 'L1 ops/s',
      higherIsBetter: true,
      target: { ratio: 1.0 },
      values: r1.map((r) => [r.contender, r.result.opsPerSec]),
    },
    { metric: 'L1 p50 ms', higherIsBetter: false, values: r1.map((r) => [r.contender, r.result.p50]) },
    { metric: 'L1 p99 ms', higherIsBetter: false, values: r1.map((r) => [r.contender, r.result.p99]) },
    {
      metric: 'L2 ops/s (64 workers)',
      higherIsBetter: true,
      target: { ratio: 1.5 },
      values: r2.map((r) => [r.contender, r.result.opsPerSec]),
    },
    {
      metric: 'L3 acquisitions/s',
      higherIsBetter: true,
      target: { ratio: 1.5 },
      values: r3.map((r) => [r.contender, r.result.acquisitionsPerSec]),
    },
    {
      metric: 'L3 hand-off p50 ms',
      higherIsBetter: false,
      target: { below: 0.5 },
      values: r3.map((r) => [r.contender, r.result.handoffP50]),
    },
    { metric: 'L3 hand-off p99 ms', higherIsBetter: false, values: r3.map((r) => [r.contender, r.result.handoffP99]) },
    {
      metric: 'L3 wait p99 ms',
      higherIsBetter: false,
      target: { ratio: 0.25 },
      values: r3.map((r) => [r.contender, r.result.waitP99]),
    },
    { metric: 'L3 wait max ms', higherIsBetter: false, values: r3.map((r) => [r.contender, r.result.waitMax]) },
    {
      metric: 'L3 overlaps',
      higherIsBetter: false,
      target: { equals: 0 },
      values: r3.map((r) => [r.contender, r.result.overlaps]),
    },
    { metric: 'L3 failed acquires', higherIsBetter: false, values: r3.map((r) => [r.contender, r.result.failures]) },
  ]
  const allMet = printTable(rows)
  process.exitCode = allMet ? 0 : 1
} finally {
  await group.stop()
}
