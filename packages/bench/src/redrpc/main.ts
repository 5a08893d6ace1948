/**
 * @org/redrpc full-stack benchmark: `callApi` through registry discovery, the RoundRobin balancer, breakers and the
 * Streams transport, against Moleculer 0.14 with its Redis transporter, on the transport benchmark's R3 workload:
 * one Redis from the test kit, 3 providers each in its own process, the caller here, 256 calls in flight.
 * The transport alone (no facade, providers picked by i % 3) is shown to price the facade itself, and a raw pub/sub
 * request/reply (pubsubFloor.ts) the least any Redis RPC can do.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { cpus } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { RedRpc } from '@org/redrpc'
import { startRedis, waitFor } from '@org/testkit'
import { TransportClient } from '@org/transport'
import { Redis } from 'ioredis'
import { moleculerCaller } from '../shared/moleculer.js'
import { type Measure, measure } from '../shared/stats.js'
import { cpuMicros } from './cpu.js'
import { runOverhead } from './overhead.js'
import type { Config } from './overheadConfig.js'
import { printOverhead } from './overheadTable.js'
import { pubsubCaller } from './pubsubFloor.js'

const here = dirname(fileURLToPath(import.meta.url))
const CALLS = Number(process.env.REDRPC_BENCH_CALLS ?? 40_000)
const WARM_UP = 2_000
const IN_FLIGHT = 256
const PROVIDERS = 3
const PARAMS = { user: 42, name: 'benchmark', tags: ['a', 'b', 'c'] }

type System = 'redrpc' | 'transport' | 'moleculer' | 'pubsub'
interface Caller {
  call(): Promise<unknown>
  stop(): Promise<unknown>
}

const group = await startRedis()
const port = group.instances[0]!.port
const connection = () => new Redis({ host: '127.0.0.1', port, enableAutoPipelining: true }).on('error', () => {})

function spawnProvider(system: System, name: string, config?: Config): Promise<ChildProcess> {
  // REDRPC_BENCH_PROF=<dir> writes a CPU profile of every provider process there.
  const prof = process.env.REDRPC_BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.REDRPC_BENCH_PROF}`] : []
  const child = spawn(
    process.execPath,
    [...prof, '--import', 'tsx', join(here, 'provider.ts'), system, String(port), name, ...(config ? [config] : [])],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  return new Promise<ChildProcess>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve(child)
    })
    child.once('exit', (code) => reject(new Error(`${system} provider ${name} exited (${code})`)))
  }).catch(async (err) => {
    await group.stop()
    throw err
  })
}

async function caller(system: System, names: string[]): Promise<Caller> {
  if (system === 'redrpc') {
    const conn = connection()
    const redRpc = new RedRpc(null, [conn], { namespace: 'bench', call: { timeoutMs: 30_000 } })
    const service = redRpc.getInstance('bench')
    await service.ready()
    await waitFor(() => service.providers().length === names.length, { timeoutMs: 30_000, what: 'providers' })
    return { call: () => service.callApi('echo', PARAMS), stop: () => redRpc.close().then(() => conn.disconnect()) }
  }
  if (system === 'transport') {
    const conn = connection()
    const client = new TransportClient(conn, { namespace: 'bench-t', timeoutMs: 30_000 })
    let i = 0
    return {
      call: () =>
        client.request({ service: 'bench', providerId: names[i++ % names.length]!, method: 'echo', params: PARAMS }),
      stop: () => client.close().then(() => conn.disconnect()),
    }
  }
  if (system === 'pubsub') {
    const floor = await pubsubCaller(port, names)
    return { call: () => floor.call(PARAMS), stop: () => floor.stop() }
  }
  const broker = await moleculerCaller(port, names.length)
  return { call: () => broker.call('bench.echo', PARAMS), stop: () => broker.stop() }
}

/** A run's throughput and latency, plus CPU microseconds per call in each role. */
interface Measured extends Measure {
  cpu: { caller: number; providers: number; redis: number }
}

async function scenario(system: System): Promise<Measured> {
  // RedRpc names providers <name>-<n>; the transport and Moleculer take the id as given.
  const names = Array.from({ length: PROVIDERS }, (_, i) =>
    system === 'transport' ? `${system}-${i + 1}` : `${system}${i + 1}`,
  )
  const children = await Promise.all(names.map((n) => spawnProvider(system, n)))
  const ids = system === 'redrpc' ? names.map((n) => `${n}-1`) : names
  const c = await caller(system, ids)
  try {
    await measure(() => c.call(), WARM_UP, 64)
    const redisPid = group.instances[0]!.pid
    const sample = () => ({
      caller: cpuMicros(process.pid),
      providers: children.reduce((sum, child) => sum + cpuMicros(child.pid), 0),
      redis: cpuMicros(redisPid),
    })
    const before = sample()
    const result = await measure(() => c.call(), CALLS, IN_FLIGHT)
    const after = sample()
    const perCall = (key: keyof typeof before) => (after[key] - before[key]) / CALLS
    return { ...result, cpu: { caller: perCall('caller'), providers: perCall('providers'), redis: perCall('redis') } }
  } finally {
    await c.stop()
    // SIGTERM lets a profiled provider write its profile; the others exit at once either way.
    await Promise.all(children.map((child) => new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM'))))
    await group.instances[0]!.client().flushall()
  }
}

/**
 * Each system runs ROUNDS times, interleaved, and reports its median round: on a shared machine a burst of someone
 * else's load then lands on one round of one system instead of deciding the table (the transport bench does the same).
 */
const ROUNDS = Number(process.env.REDRPC_BENCH_ROUNDS ?? 5)
const rounds = new Map<System, Measured[]>()
// REDRPC_BENCH_ONLY=redrpc,moleculer runs a subset (for profiling); the verdict needs both redrpc and moleculer.
// `overhead` names the hooks and OpenTelemetry part (overhead.ts), which runs after the table.
const only = process.env.REDRPC_BENCH_ONLY?.split(',')
for (let round = 1; round <= ROUNDS && !(only?.length === 1 && only[0] === 'overhead'); round++) {
  for (const system of ['redrpc', 'transport', 'moleculer', 'pubsub'] as const) {
    if (only && !only.includes(system)) continue
    const r = await scenario(system)
    rounds.set(system, [...(rounds.get(system) ?? []), r])
    console.log(`round ${round} ${system}: ${Math.round(r.callsPerSecond)} calls/s`)
  }
}
const results = new Map<System, Measured>()
for (const [system, list] of rounds) {
  const sorted = [...list].sort((a, b) => a.callsPerSecond - b.callsPerSecond)
  results.set(system, sorted[Math.floor((sorted.length - 1) / 2)] as Measured)
}

const label: Record<System, string> = {
  redrpc: '@org/redrpc callApi (full stack)',
  transport: '@org/transport alone (no facade)',
  moleculer: 'Moleculer 0.14.36 + Redis transporter',
  pubsub: 'raw pub/sub request/reply floor (no guarantees)',
}
console.log(`\nmachine: ${cpus()[0]?.model ?? '?'} x${cpus().length}, Node ${process.version}`)
console.log(
  `${CALLS.toLocaleString('en-US')} calls, ${IN_FLIGHT} in flight, ${PROVIDERS} provider processes, 1 Redis, median of ${ROUNDS} rounds\n`,
)
console.log('| system | calls/s | p50 ms | p99 ms | CPU µs/call: caller | providers | Redis | total |')
console.log('|---|---:|---:|---:|---:|---:|---:|---:|')
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? 0
for (const [system, r] of results) {
  // CPU per call is steady under load: the median of each role over the rounds.
  const list = rounds.get(system) ?? []
  const cpu = (role: keyof Measured['cpu']) => median(list.map((m) => m.cpu[role]))
  const total = cpu('caller') + cpu('providers') + cpu('redis')
  const us = (n: number) => n.toFixed(0)
  console.log(
    `| ${label[system]} | ${Math.round(r.callsPerSecond).toLocaleString('en-US')} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${us(cpu('caller'))} | ${us(cpu('providers'))} | ${us(cpu('redis'))} | ${us(total)} |`,
  )
}
const ours = results.get('redrpc')
const theirs = results.get('moleculer')
if (ours && theirs) {
  const ratio = ours.callsPerSecond / theirs.callsPerSecond
  console.log(`\n| target | ratio | verdict |\n|---|---:|---|`)
  console.log(`| redrpc calls/s / Moleculer >= 2 | ${ratio.toFixed(2)} | ${ratio >= 2 ? 'met' : 'NOT met'} |`)
}
const floor = results.get('pubsub')
if (ours && floor) {
  const ratio = ours.callsPerSecond / floor.callsPerSecond
  console.log(
    `| redrpc calls/s / raw pub/sub floor >= 0.9 | ${ratio.toFixed(2)} | ${ratio >= 0.9 ? 'met' : 'NOT met'} |`,
  )
}

if (!only || only.includes('overhead')) {
  const { rows, spans } = await runOverhead({
    connection,
    spawnProvider: (name, config) => spawnProvider('redrpc', name, config),
    providers: PROVIDERS,
    inFlight: IN_FLIGHT,
    params: PARAMS,
  })
  printOverhead(rows, spans, IN_FLIGHT, PROVIDERS)
}
await group.stop()
process.exit(0)
