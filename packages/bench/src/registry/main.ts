/**
 * @org/registry benchmark: heartbeat and listProviders throughput, time from SIGKILL and from deregister to a
 * watcher's notification, and the Redis CPU share of 10,000 providers heartbeating. Prints a Markdown table.
 */
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type ProviderChange, type ProviderInfo, Registry } from '@org/registry'
import { startRedis, waitFor } from '@org/testkit'
import type Redis from 'ioredis'
import { percentile } from '../shared/stats.js'
import { opsPerSecond } from './stats.js'

const here = dirname(fileURLToPath(import.meta.url))
const SLOW = { namespace: 'bench', heartbeatMs: 60_000, ttlMs: 120_000 } // our own loop stays out of the way
const rows: [string, string][] = []
const report = (what: string, value: string) => {
  rows.push([what, value])
  console.log(`${what}: ${value}`)
}
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

const group = await startRedis()
const server = group.instances[0]!
const client = () => server.client()

async function heartbeatThroughput(): Promise<void> {
  const registry = new Registry(client(), SLOW)
  await registry.registerService({ name: 'hb' })
  const handles = await Promise.all(
    Array.from({ length: 100 }, (_, i) => registry.registerProvider('hb', { id: `p${i}` })),
  )
  let i = 0
  const rate = await opsPerSecond(() => handles[i++ % handles.length]!.heartbeat(), 3_000)
  report('heartbeat (1 client, 64 in flight)', `${fmt(rate)} ops/s`)
  await registry.close()
}

async function listThroughput(): Promise<void> {
  const registry = new Registry(client(), SLOW)
  const services = Array.from({ length: 1_000 }, (_, i) => `svc${i}`)
  for (const name of services) await registry.registerService({ name })
  await Promise.all(
    services.flatMap((s) => Array.from({ length: 10 }, (_, i) => registry.registerProvider(s, { id: `p${i}` }))),
  )
  let i = 0
  const rate = await opsPerSecond(() => registry.listProviders(services[i++ % services.length]!), 3_000)
  report('listProviders, 10 of 10,000 providers in 1,000 services (1 client, 64 in flight)', `${fmt(rate)} ops/s`)
  await registry.close()
  await server.client().flushall()
}

async function cpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu')
  const read = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0)
  return read('used_cpu_user') + read('used_cpu_sys')
}

async function scriptCalls(redis: Redis): Promise<number> {
  const stats = await redis.info('commandstats')
  return Number(/cmdstat_evalsha:calls=(\d+)/.exec(stats)?.[1] ?? 0)
}

/** Redis CPU share (fraction of one core) and script calls per second over a window of `ms`. */
async function measureWindow(probe: Redis, ms: number): Promise<{ share: number; calls: number }> {
  const [cpu0, calls0, t0] = [await cpuSeconds(probe), await scriptCalls(probe), performance.now()]
  await new Promise((r) => setTimeout(r, ms))
  const [cpu1, calls1, t1] = [await cpuSeconds(probe), await scriptCalls(probe), performance.now()]
  const seconds = (t1 - t0) / 1000
  return { share: (cpu1 - cpu0) / seconds, calls: (calls1 - calls0) / seconds }
}

/**
 * Starts `connections` registries holding `perConnection` providers each, over 1,000 services (no registry holds two
 * providers of one service), heartbeating every `heartbeatMs`; measures Redis's CPU over 10 s; closes them.
 */
async function heartbeatLoad(connections: number, perConnection: number, heartbeatMs: number, label: string) {
  const probe = client()
  const idle = await measureWindow(probe, 2_000)
  const options = { namespace: 'cpu', heartbeatMs, ttlMs: 5 * heartbeatMs }
  const registries = Array.from({ length: connections }, () => new Registry(client(), options))
  for (let s = 0; s < 1_000; s++) await registries[0]!.registerService({ name: `svc${s}` })
  const total = connections * perConnection
  for (let start = 0; start < total; start += 1_000) {
    await Promise.all(
      Array.from({ length: Math.min(1_000, total - start) }, (_, k) => {
        const n = start + k
        return registries[n % connections]!.registerProvider(`svc${n % 1_000}`, { id: `p${n}` })
      }),
    )
  }
  await new Promise((r) => setTimeout(r, 2 * heartbeatMs)) // let the heartbeat loops settle into their rhythm
  const busy = await measureWindow(probe, 10_000)
  // On a single server each registry sends one script call per beat for all its providers (up to 500).
  const beatsPerSecond = busy.calls * perConnection
  const share = busy.share - idle.share
  const perBeatUs = (share * 1e6) / beatsPerSecond
  report(
    `Redis CPU, ${label}`,
    `${(100 * share).toFixed(1)} % of one core at ${fmt(beatsPerSecond)} heartbeats/s measured (${fmt(busy.calls)} script calls/s) = ${perBeatUs.toFixed(1)} µs per heartbeat, so ${perBeatUs.toFixed(1)} % of a core per 10,000 heartbeats/s`,
  )
  await Promise.all(registries.map((r) => r.close()))
  await probe.flushall()
}

/** The floor for lone requests on this machine: the same connections and rate sending PING instead. */
async function pingLoad(connections: number, everyMs: number): Promise<void> {
  const probe = client()
  const idle = await measureWindow(probe, 2_000)
  const clients = Array.from({ length: connections }, () => client())
  let sent = 0
  const timers = clients.map((c) =>
    setInterval(() => {
      sent++
      void c.ping()
    }, everyMs),
  )
  await new Promise((r) => setTimeout(r, 2 * everyMs))
  const sent0 = sent
  const t0 = performance.now()
  const busy = await measureWindow(probe, 10_000)
  const rate = ((sent - sent0) * 1_000) / (performance.now() - t0)
  for (const t of timers) clearInterval(t)
  for (const c of clients) c.disconnect()
  const perPingUs = ((busy.share - idle.share) * 1e6) / rate
  report(
    `Redis CPU, baseline: ${connections} connections sending PING every ${everyMs} ms`,
    `${(100 * (busy.share - idle.share)).toFixed(1)} % of one core at ${fmt(rate)} PING/s = ${perPingUs.toFixed(1)} µs per PING`,
  )
}

async function heartbeatCpuShare(): Promise<void> {
  await heartbeatLoad(100, 100, 1_000, '10,000 providers every 1 s from 100 connections (100 providers each)')
  // The worst case: every heartbeat its own script call and round trip, as one-provider processes send them.
  await heartbeatLoad(500, 1, 100, 'lone heartbeats: 500 connections x 1 provider every 100 ms (5,000/s asked)')
  await pingLoad(500, 100)
}

function spawnProvider(service: string, id: string, heartbeatMs: number, ttlMs: number) {
  const args = [
    '--import',
    'tsx',
    join(here, 'provider.ts'),
    String(server.port),
    service,
    id,
    String(heartbeatMs),
    String(ttlMs),
  ]
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise<typeof child>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve(child))
    child.once('exit', (code) => reject(new Error(`provider exited with ${code}`)))
  })
}

/** A watch that resolves `next(predicate)` at the first notification matching it, with its time. */
function watchTimes(registry: Registry, service: string) {
  let waiting: { match: (c: ProviderChange) => boolean; resolve: (t: number) => void } | undefined
  let current: ProviderInfo[] = []
  const watch = registry.watch(service, (providers, change) => {
    current = providers
    const t = performance.now()
    if (waiting?.match(change)) {
      waiting.resolve(t)
      waiting = undefined
    }
  })
  return {
    watch,
    has: (id: string) => current.some((p) => p.id === id),
    next: (match: (c: ProviderChange) => boolean) =>
      new Promise<number>((resolve) => {
        waiting = { match, resolve }
      }),
  }
}

async function sigkillToNotification(): Promise<void> {
  const heartbeatMs = 100
  const ttlMs = 500
  const registry = new Registry(client(), { namespace: 'bench', heartbeatMs, ttlMs })
  await registry.registerService({ name: 'crash' })
  const w = watchTimes(registry, 'crash')
  await w.watch.ready
  const samples: number[] = []
  for (let run = 0; run < 20; run++) {
    const id = `victim${run}`
    const child = await spawnProvider('crash', id, heartbeatMs, ttlMs)
    await waitFor(() => w.has(id), { timeoutMs: 5_000, what: 'the watcher to see the provider' })
    const removed = w.next((c) => c.removed.some((p) => p.id === id))
    const killedAt = performance.now()
    child.kill('SIGKILL')
    samples.push((await removed) - killedAt)
  }
  report(
    `SIGKILL -> watcher notified (heartbeatMs ${heartbeatMs}, ttlMs ${ttlMs}; bound ${heartbeatMs + ttlMs} ms), 20 runs`,
    `p50 ${fmt(percentile(samples, 0.5))} ms, p99 ${fmt(percentile(samples, 0.99))} ms, max ${fmt(Math.max(...samples))} ms`,
  )
  await registry.close()
}

async function deregisterToNotification(): Promise<void> {
  const watcher = new Registry(client(), { namespace: 'bench' })
  const provider = new Registry(client(), { namespace: 'bench' })
  await provider.registerService({ name: 'graceful' })
  const w = watchTimes(watcher, 'graceful')
  await w.watch.ready
  const samples: number[] = []
  for (let run = 0; run < 200; run++) {
    const id = `p${run}`
    const added = w.next((c) => c.added.some((p) => p.id === id))
    const handle = await provider.registerProvider('graceful', { id })
    await added
    const removed = w.next((c) => c.removed.some((p) => p.id === id))
    const t0 = performance.now()
    await handle.deregister()
    samples.push((await removed) - t0)
  }
  report(
    'deregister() -> watcher notified, 200 runs',
    `p50 ${percentile(samples, 0.5).toFixed(2)} ms, p99 ${percentile(samples, 0.99).toFixed(2)} ms`,
  )
  await Promise.all([watcher.close(), provider.close()])
}

// `main.ts cpu sigkill` runs only those; no argument runs all.
const parts: Record<string, () => Promise<void>> = {
  heartbeat: heartbeatThroughput,
  list: listThroughput,
  deregister: deregisterToNotification,
  sigkill: sigkillToNotification,
  cpu: heartbeatCpuShare,
}
const asked = process.argv.slice(2).filter((a) => a in parts)
try {
  for (const [name, run] of Object.entries(parts)) if (asked.length === 0 || asked.includes(name)) await run()
  console.log(`\n| measure | result |\n| --- | --- |\n${rows.map(([a, b]) => `| ${a} | ${b} |`).join('\n')}`)
} finally {
  await group.stop()
}
process.exit(0)
