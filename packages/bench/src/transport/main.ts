/**
 * @org/transport benchmark against Moleculer 0.14 (Redis transporter) and a raw ioredis LPUSH/BRPOP floor, on one
 * Redis started by the test kit; providers run in their own processes, the caller here.
 * R1: sequential calls; R2: 256 in flight to one provider; R3: 256 in flight spread over 3 providers. R1 also runs a
 * lone `callApi` through the whole stack (`@org/redrpc`, one provider process), and prints the CPU each call cost
 * the caller, the provider process and Redis (from /proc, summed over the system's blocks).
 * R1 compares latencies a few percent apart, so its systems run side by side and take turns in short blocks: a load
 * change on the machine hits them all alike (as in the redlock benchmark). R2 and R3 run one system at a time.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { cpus } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { RedRpc } from '@org/redrpc'
import { startRedis, waitFor } from '@org/testkit'
import { TransportClient } from '@org/transport'
import { Redis } from 'ioredis'
import { cpuMicros } from '../redrpc/cpu.js'
import { overheadSetup } from '../redrpc/overheadConfig.js'
import { moleculerCaller } from '../shared/moleculer.js'
import { type Measure, measure, quantile } from '../shared/stats.js'
import { rawCaller } from './raw.js'

const here = dirname(fileURLToPath(import.meta.url))
/** R1: blocks of sequential calls per system, taking turns, and the calls in each block. */
const R1_BLOCKS = Number(process.env.TRANSPORT_BENCH_R1_BLOCKS ?? 30)
const R1_BLOCK = 500
const R2_CALLS = 20_000
/** Each scenario runs this many times, the systems taking turns, and the median is reported: CI machines are noisy. */
const ROUNDS = Number(process.env.TRANSPORT_BENCH_ROUNDS ?? 3)
const IN_FLIGHT = 256
const PARAMS = { user: 42, name: 'benchmark', tags: ['a', 'b', 'c'] }

type System = 'raw' | 'transport' | 'moleculer' | 'redrpc'
/** The facade's provider and caller: the redrpc benchmark's, with nothing registered (see its overheadConfig). */
const FACADE = overheadSetup('none')
interface Caller {
  call(i: number): Promise<unknown>
  stop(): Promise<void> | void
}

const group = await startRedis()
const redis = group.instances[0]!
const port = redis.port

function spawnProvider(system: System, id: string): Promise<ChildProcess> {
  const args =
    system === 'redrpc'
      ? [join(here, '..', 'redrpc', 'provider.ts'), 'redrpc', String(port), id, 'none']
      : [join(here, 'provider.ts'), system, String(port), id]
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
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
  if (system === 'redrpc') {
    const conn = new Redis({ host: '127.0.0.1', port })
    const redRpc = new RedRpc(null, [conn], { namespace: FACADE.namespace, call: { timeoutMs: 30_000 } })
    const service = redRpc.getInstance(FACADE.service)
    await service.ready()
    await waitFor(() => service.providers().length === providers.length, { timeoutMs: 30_000, what: 'providers' })
    return { call: () => service.callApi('echo', PARAMS), stop: () => redRpc.close().then(() => conn.disconnect()) }
  }
  const broker = await moleculerCaller(port, providers.length)
  return { call: () => broker.call('bench.echo', PARAMS), stop: () => broker.stop() }
}

/** A system's providers and caller, warmed up: JIT, connections, Moleculer discovery. */
async function setUp(system: System, providerCount: number) {
  const ids = Array.from({ length: providerCount }, (_, i) => `${system}-p${i}`)
  const children = await Promise.all(ids.map((id) => spawnProvider(system, id)))
  const c = await caller(system, ids)
  const tearDown = async () => {
    await c.stop()
    for (const child of children) child.kill('SIGKILL')
  }
  try {
    await measure((i) => c.call(i), 2_000, 64)
  } catch (err) {
    await tearDown()
    throw err
  }
  return { caller: c, children, tearDown }
}

async function scenario(system: System, providerCount: number, run: (c: Caller) => Promise<Measure>): Promise<Measure> {
  const { caller: c, tearDown } = await setUp(system, providerCount)
  try {
    return await run(c)
  } finally {
    await tearDown()
    await redis.client().flushall()
  }
}

/** CPU one call cost each role, in microseconds. */
interface CpuPerCall {
  caller: number
  provider: number
  redis: number
}

/** R1 with every system up at once, taking turns in blocks of sequential calls; latencies pooled per system. */
async function sequentialSideBySide(): Promise<Map<System, Measure & { cpu: CpuPerCall }>> {
  const setups: { system: System; caller: Caller; children: ChildProcess[]; tearDown: () => Promise<void> }[] = []
  try {
    for (const system of r1Systems) setups.push({ system, ...(await setUp(system, 1)) })
    for (const { caller: c } of setups) await measure((i) => c.call(i), R1_BLOCK, 1) // the sequential path, warm
    const latencies = new Map<System, number[]>(r1Systems.map((s) => [s, []]))
    const busy = new Map<System, number>(r1Systems.map((s) => [s, 0]))
    const cpu = new Map<System, CpuPerCall>(r1Systems.map((s) => [s, { caller: 0, provider: 0, redis: 0 }]))
    for (let block = 0; block < R1_BLOCKS; block++) {
      for (let k = 0; k < setups.length; k++) {
        const { system, caller: c, children } = setups[(block + k) % setups.length]!
        const into = latencies.get(system)!
        const used = cpu.get(system)!
        const providerCpu = () => children.reduce((sum, child) => sum + cpuMicros(child.pid), 0)
        const before = { caller: process.cpuUsage(), provider: providerCpu(), redis: cpuMicros(redis.pid) }
        const start = performance.now()
        for (let i = 0; i < R1_BLOCK; i++) {
          const t0 = performance.now()
          await c.call(i)
          into.push(performance.now() - t0)
        }
        busy.set(system, busy.get(system)! + performance.now() - start)
        const caller = process.cpuUsage(before.caller)
        used.caller += caller.user + caller.system
        used.provider += providerCpu() - before.provider
        used.redis += cpuMicros(redis.pid) - before.redis
      }
    }
    return new Map(
      r1Systems.map((s) => {
        const sorted = Float64Array.from(latencies.get(s)!).sort()
        const used = cpu.get(s)!
        const calls = sorted.length
        const m = {
          callsPerSecond: calls / (busy.get(s)! / 1000),
          p50: quantile(sorted, 0.5),
          p99: quantile(sorted, 0.99),
          cpu: { caller: used.caller / calls, provider: used.provider / calls, redis: used.redis / calls },
        }
        return [s, m] as const
      }),
    )
  } finally {
    for (const { tearDown } of setups) await tearDown()
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
/** R1 adds the whole stack's lone call; R2 and R3 are the redrpc benchmark's business for it. */
const r1Systems: System[] = [...systems, 'redrpc']
const r1 = await sequentialSideBySide()
console.log(`R1: ${R1_BLOCKS} blocks of ${R1_BLOCK} sequential calls per system, taking turns: done`)
const runs = new Map<System, { r2: Measure[]; r3: Measure[] }>(systems.map((s) => [s, { r2: [], r3: [] }]))
for (let round = 1; round <= ROUNDS; round++) {
  for (const system of systems) {
    const r = runs.get(system)!
    r.r2.push(await scenario(system, 1, (c) => measure((i) => c.call(i), R2_CALLS, IN_FLIGHT)))
    r.r3.push(await scenario(system, 3, (c) => measure((i) => c.call(i), R2_CALLS, IN_FLIGHT)))
    console.log(`round ${round}/${ROUNDS} ${system}: done`)
  }
}
const results = new Map(
  [...runs].map(([system, r]) => [system, { r1: r1.get(system)!, r2: medianOf(r.r2), r3: medianOf(r.r3) }] as const),
)

const ms = (n: number) => n.toFixed(3)
const rate = (n: number) => Math.round(n).toLocaleString('en-US')
console.log(
  `\nmachine: ${cpus()[0]?.model ?? '?'} x${cpus().length}, Node ${process.version}; R1 pooled over ${R1_BLOCKS} turns of ${R1_BLOCK} calls, R2/R3 median of ${ROUNDS} rounds`,
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
const us = (n: number) => n.toFixed(0)
const r1Label: Record<System, string> = {
  raw: 'raw LPUSH/BRPOP floor',
  transport: '@org/transport',
  moleculer: 'Moleculer + Redis',
  redrpc: 'lone callApi (@org/redrpc)',
}
console.log('\nR1 alone, with the CPU each call cost (µs, /proc over the blocks of that system):')
console.log('\n| system | R1 p50 ms | R1 p99 ms | CPU caller | CPU provider | CPU Redis | CPU total |')
console.log('|---|---:|---:|---:|---:|---:|---:|')
for (const system of r1Systems) {
  const m = r1.get(system)!
  const total = m.cpu.caller + m.cpu.provider + m.cpu.redis
  console.log(
    `| ${r1Label[system]} | ${ms(m.p50)} | ${ms(m.p99)} | ${us(m.cpu.caller)} | ${us(m.cpu.provider)} | ${us(m.cpu.redis)} | ${us(total)} |`,
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
const facade = r1.get('redrpc')!
const r1Moleculer = t.r1.p50 / mol.r1.p50
const r1p99Moleculer = t.r1.p99 / mol.r1.p99
const lone = facade.p50 / t.r1.p50
console.log(`| R1 p50 transport / raw <= 1.3 | ${r1Ratio.toFixed(2)} | ${verdict(r1Ratio <= 1.3)} |`)
console.log(`| R1 p50 transport / Moleculer <= 1 | ${r1Moleculer.toFixed(2)} | ${verdict(r1Moleculer <= 1)} |`)
console.log(`| R1 p99 transport / Moleculer <= 1 | ${r1p99Moleculer.toFixed(2)} | ${verdict(r1p99Moleculer <= 1)} |`)
console.log(`| R1 p50 lone callApi / transport <= 1.1 | ${lone.toFixed(2)} | ${verdict(lone <= 1.1)} |`)
console.log(`| R2 calls/s transport / Moleculer >= 2 | ${r2Ratio.toFixed(2)} | ${verdict(r2Ratio >= 2)} |`)
console.log(`| R3 calls/s transport / Moleculer >= 2 | ${r3Ratio.toFixed(2)} | ${verdict(r3Ratio >= 2)} |`)
await group.stop()
process.exit(0)
