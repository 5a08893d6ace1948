/**
 * @org/transport benchmark against Moleculer 0.14 (Redis transporter) and a raw ioredis LPUSH/BRPOP floor, on one
 * Redis started by the test kit; providers run in their own processes, the caller here.
 * R1: sequential calls; R2: 256 in flight to one provider; R3: 256 in flight spread over 3 providers.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { cpus } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startRedis } from '@org/testkit'
import { TransportClient } from '@org/transport'
import { Redis } from 'ioredis'
import { moleculerCaller } from '../shared/moleculer.js'
import { type Measure, measure } from '../shared/stats.js'
import { rawCaller } from './raw.js'

const here = dirname(fileURLToPath(import.meta.url))
const R1_CALLS = 5_000
const R2_CALLS = 20_000
/** Each scenario runs this many times, the systems taking turns, and the median is reported: CI machines are noisy. */
const ROUNDS = Number(process.env.TRANSPORT_BENCH_ROUNDS ?? 3)
const IN_FLIGHT = 256
const PARAMS = { user: 42, name: 'benchmark', tags: ['a', 'b', 'c'] }

type System = 'raw' | 'transport' | 'moleculer'
interface Caller {
  call(i: number): Promise<unknown>
  stop(): Promise<void> | void
}

const group = await startRedis()
const redis = group.instances[0]!
const port = redis.port

function spawnProvider(system: System, id: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'provider.ts'), system, String(port), id], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve(child)
    })
    child.once('exit', (code) => reject(new Error(`${system} provider exited (${code})`)))
  })
}

async function caller(system: System, providers: string[]): Promise<Caller> {
  if (system === 'raw') {
    const raw = await rawCaller(port)
    return { call: () => raw.call(PARAMS), stop: () => raw.stop() }
  }
  if (system === 'transport') {
    const conn = new Redis({ host: '127.0.0.1', port })
    const client = new TransportClient(conn, { namespace: 'bench', timeoutMs: 30_000 })
    return {
      call: (i) =>
        client.request({
          service: 'bench',
          providerId: providers[i % providers.length]!,
          method: 'echo',
          params: PARAMS,
        }),
      stop: async () => {
        await client.close()
        conn.disconnect()
      },
    }
  }
  const broker = await moleculerCaller(port, providers.length)
  return { call: () => broker.call('bench.echo', PARAMS), stop: () => broker.stop() }
}

async function scenario(system: System, providerCount: number, run: (c: Caller) => Promise<Measure>): Promise<Measure> {
  const ids = Array.from({ length: providerCount }, (_, i) => `${system}-p${i}`)
  const children = await Promise.all(ids.map((id) => spawnProvider(system, id)))
  const c = await caller(system, ids)
  try {
    await measure((i) => c.call(i), 2_000, 64) // warm-up: JIT, connections, Moleculer discovery
    return await run(c)
  } finally {
    await c.stop()
    for (const child of children) child.kill('SIGKILL')
    await redis.client().flushall()
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const medianOf = (runs: Measure[]): Measure => ({
  callsPerSecond: median(runs.map((r) => r.callsPerSecond)),
  p50: median(runs.map((r) => r.p50)),
  p99: median(runs.map((r) => r.p99)),
})

const systems = ['raw', 'transport', 'moleculer'] as const
const runs = new Map<System, { r1: Measure[]; r2: Measure[]; r3: Measure[] }>(
  systems.map((s) => [s, { r1: [], r2: [], r3: [] }]),
)
for (let round = 1; round <= ROUNDS; round++) {
  for (const system of systems) {
    const r = runs.get(system)!
    r.r1.push(await scenario(system, 1, (c) => measure((i) => c.call(i), R1_CALLS, 1)))
    r.r2.push(await scenario(system, 1, (c) => measure((i) => c.call(i), R2_CALLS, IN_FLIGHT)))
    r.r3.push(await scenario(system, 3, (c) => measure((i) => c.call(i), R2_CALLS, IN_FLIGHT)))
    console.log(`round ${round}/${ROUNDS} ${system}: done`)
  }
}
const results = new Map(
  [...runs].map(([system, r]) => [system, { r1: medianOf(r.r1), r2: medianOf(r.r2), r3: medianOf(r.r3) }] as const),
)

const ms = (n: number) => n.toFixed(3)
const rate = (n: number) => Math.round(n).toLocaleString('en-US')
console.log(
  `\nmachine: ${cpus()[0]?.model ?? '?'} x${cpus().length}, Node ${process.version}; median of ${ROUNDS} rounds`,
)
console.log(
  '\n| system | R1 p50 ms | R1 p99 ms | R2 calls/s | R2 p50 ms | R2 p99 ms | R3 calls/s | R3 p50 ms | R3 p99 ms |',
)
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|')
for (const [system, r] of results) {
  console.log(
    `| ${system} | ${ms(r.r1.p50)} | ${ms(r.r1.p99)} | ${rate(r.r2.callsPerSecond)} | ${ms(r.r2.p50)} | ${ms(r.r2.p99)} | ${rate(r.r3.callsPerSecond)} | ${ms(r.r3.p50)} | ${ms(r.r3.p99)} |`,
  )
}
const t = results.get('transport')!
const raw = results.get('raw')!
const mol = results.get('moleculer')!
const r1Ratio = t.r1.p50 / raw.r1.p50
const r2Ratio = t.r2.callsPerSecond / mol.r2.callsPerSecond
const r3Ratio = t.r3.callsPerSecond / mol.r3.callsPerSecond
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met')
console.log('\n| target | ratio | verdict |')
console.log('|---|---:|---|')
console.log(`| R1 p50 transport / raw <= 1.3 | ${r1Ratio.toFixed(2)} | ${verdict(r1Ratio <= 1.3)} |`)
console.log(`| R2 calls/s transport / Moleculer >= 2 | ${r2Ratio.toFixed(2)} | ${verdict(r2Ratio >= 2)} |`)
console.log(`| R3 calls/s transport / Moleculer >= 2 | ${r3Ratio.toFixed(2)} | ${verdict(r3Ratio >= 2)} |`)
await group.stop()
process.exit(0)
