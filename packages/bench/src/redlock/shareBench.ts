/**
 * L5 (semaphore) and L6 (read-write lock), the benchmark of issue 19, with contenders in separate processes taking
 * turns (3 rounds of 2 s each by default, `BENCH_L5_ROUNDS` / `BENCH_L5_SLICE_MS`), each run in fresh processes.
 * - L5: 16 workers in 4 processes, 4 permits, each holds about 1 ms and waits about 1 ms outside; against
 *   redis-semaphore's RedlockSemaphore (defaults and tuned) on the same three Redis.
 * - L6: 12 readers and 2 writers in 4 processes (3 readers each; two of the processes also run a writer), holding
 *   about 1 ms; ours only (no peer has a read-write lock over N masters).
 */
import type { Contender } from './contenders.js'
import type { Role } from './shareContenders.js'
import { emptyShareSamples, runShareProcesses, type ShareSamples, summarizeShares } from './shareProcesses.js'
import type { Row } from './table.js'

const ROUNDS = Number(process.env.BENCH_L5_ROUNDS ?? 3)
const SLICE_MS = Number(process.env.BENCH_L5_SLICE_MS ?? 2_000)

const named = (key: string, name: string): Contender & { key: string } => ({
  key,
  name,
  ours: key === 'ours',
  acquire: () => Promise.reject(new Error('L5/L6 run in child processes')),
  close: async () => {},
})

const L5_CONTENDERS = [
  named('ours', '@org/redlock'),
  named('redis-semaphore-default', 'redis-semaphore default'),
  named('redis-semaphore-tuned', 'redis-semaphore tuned'),
]

/** Runs each contender `ROUNDS` times in turns on the shape; returns the merged samples of each. */
async function turns(contenders: (Contender & { key: string })[], ports: number[], processes: Role[][], permits = 4) {
  const totals = new Map<Contender, ShareSamples>(contenders.map((c) => [c, emptyShareSamples()]))
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const contender = contenders[(round + k) % contenders.length]!
      const run = { contender: contender.key, ports, processes, permits, durationMs: SLICE_MS }
      await runShareProcesses(run, totals.get(contender)!)
    }
  }
  return totals
}

/** L5: the semaphore rows, with issue 19's targets. */
export async function l5Rows(ports: number[]): Promise<Row[]> {
  const shape: Role[][] = [0, 1, 2, 3].map(() => ['permit', 'permit', 'permit', 'permit'])
  const totals = await turns(L5_CONTENDERS, ports, shape)
  const summaries = L5_CONTENDERS.map((c) => [c, summarizeShares(totals.get(c)!, 4, ['permit'])] as const)
  type S = (typeof summaries)[number][1]
  const row = (metric: string, higherIsBetter: boolean, pick: (s: S) => number, target?: Row['target']): Row => ({
    metric: `L5 (4 procs x 4, 4 permits) ${metric}`,
    higherIsBetter,
    ...(target ? { target } : {}),
    values: summaries.map(([c, s]) => [c, pick(s)]),
  })
  return [
    row('acquisitions/s', true, (s) => s.acquisitionsPerSecond, { ratio: 2 }),
    row('permits in use on average (of 4)', true, (s) => s.inUse),
    row('most holders at once', false, (s) => s.most, { atMost: 4 }),
    row('wait p50 ms', false, (s) => s.waitP50),
    row('wait p99 ms', false, (s) => s.waitP99, { ratio: 0.25 }),
    row('wait max ms', false, (s) => s.waitMax),
    row('Jain index', true, (s) => s.jain),
    row('failed acquires', false, (s) => s.failures),
  ]
}

/** L6: the read-write rows (ours only), printed as their own table; returns whether its bounds hold. */
export async function l6Table(ports: number[]): Promise<boolean> {
  const shape: Role[][] = [
    ['read', 'read', 'read', 'write'],
    ['read', 'read', 'read', 'write'],
    ['read', 'read', 'read'],
    ['read', 'read', 'read'],
  ]
  const ours = named('ours', '@org/redlock')
  const total = (await turns([ours], ports, shape)).get(ours)!
  const readers = summarizeShares(total, 4, ['read'])
  const writers = summarizeShares(total, 4, ['write'])
  const f = (n: number) => (Number.isInteger(n) ? String(n) : n >= 100 ? n.toFixed(0) : n.toFixed(2))
  const lines: [string, number, string, boolean | undefined][] = [
    ['readers: acquisitions/s (writers present)', readers.acquisitionsPerSecond, '', undefined],
    ['readers: holding on average (of 12)', readers.inUse, '', undefined],
    ['readers: wait p50 ms', readers.waitP50, '', undefined],
    ['readers: wait p99 ms', readers.waitP99, '', undefined],
    ['writers: acquisitions/s', writers.acquisitionsPerSecond, '', undefined],
    ['writers: wait p50 ms', writers.waitP50, '', undefined],
    ['writers: wait p99 ms', writers.waitP99, '', undefined],
    ['writers: wait max ms', writers.waitMax, '', undefined],
    ['holds overlapping a writer', readers.writerOverlaps, '= 0', readers.writerOverlaps === 0],
    ['failed acquires', readers.failures, '= 0', readers.failures === 0],
  ]
  console.log('\n| L6 (12 readers + 2 writers in 4 procs) | @org/redlock | target | met |\n| --- | --- | --- | --- |')
  for (const [metric, value, target, ok] of lines) {
    console.log(`| ${metric} | ${f(value)} | ${target} | ${ok === undefined ? '' : ok ? 'yes' : 'NO'} |`)
  }
  return lines.every(([, , , ok]) => ok !== false)
}
