/**
 * `pnpm demo`: the user's scenario end to end on three real redis-server processes (started here through the test
 * kit, or the ones in REDIS_URLS=url1,url2,url3). Shows round-robin, two callers contending for Resource_A with
 * growing fencing tokens, a provider process SIGKILLed mid-run with no call lost, then shuts everything down.
 * `pnpm demo --trace` (or DEMO_TRACE=1) also turns OpenTelemetry on and prints one lock-protected call's trace as a
 * tree: the caller's span, the provider's span under it, the lock's wait and hold under that.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redlock } from '@org/redlock'
import { type RedisGroup, startRedis, waitFor } from '@org/testkit'
import { Redis } from 'ioredis'
import { type Dashboard, startDashboard } from '../src/dashboard/server.js'
import { RedRpc } from '../src/index.js'
import { startDemoTracing } from './tracing.js'

const here = dirname(fileURLToPath(import.meta.url))
// Registered before any RedRpc exists, as an application registers its OpenTelemetry SDK.
const tracing = process.argv.includes('--trace') || process.env.DEMO_TRACE === '1' ? startDemoTracing() : undefined
const say = (text = '') => console.log(text)
const title = (text: string) => say(`\n== ${text}`)

async function redisUrls(): Promise<{ urls: string[]; group?: RedisGroup }> {
  const given = process.env.REDIS_URLS?.split(',')
    .map((u) => u.trim())
    .filter(Boolean)
  if (given && given.length > 0) return { urls: given }
  const group = await startRedis({ count: 3 })
  return { urls: group.instances.map((i) => i.url), group }
}

function startWorker(name: string, url: string, namespace: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'worker.ts')], {
    env: { ...process.env, REDIS_URL: url, NAMESPACE: namespace, WORKER: name },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker ${name} exited (${code}) before it was ready`)))
    child.stdout?.setEncoding('utf8')
    child.stdout?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) {
        if (line === 'ready') resolve(child)
        else say(`   [${name}] ${line}`)
      }
    })
  })
}

/** Stops a worker process and waits for it to exit (it leaves the registry on SIGTERM). */
async function stopWorker(w: ChildProcess): Promise<void> {
  if (w.exitCode !== null || w.signalCode !== null) return
  const exited = new Promise((resolve) => w.once('exit', resolve))
  w.kill('SIGTERM')
  await exited
}

/**
 * Deletes every key the demo wrote (registry, inboxes, replies, locks and fencing counters all start with its
 * namespace) on every Redis, then counts what is left: 0 unless something still writes.
 */
async function removeKeys(urls: string[], namespace: string): Promise<number> {
  let left = 0
  for (const url of urls) {
    const redis = client(url)
    for (let pass = 0; pass < 2; pass++) {
      const keys: string[] = []
      let cursor = '0'
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${namespace}*`, 'COUNT', 1000)
        cursor = next
        keys.push(...batch)
      } while (cursor !== '0')
      // On servers of its own nothing else writes: every key left is the demo's, whatever its name.
      if (pass === 1) left += group ? await redis.dbsize() : keys.length
      else if (keys.length > 0) await redis.del(...keys)
    }
  }
  return left
}

const { urls, group } = await redisUrls()
const clients: Redis[] = []
const client = (url: string) => {
  const c = new Redis(url)
  c.on('error', () => {})
  clients.push(c)
  return c
}
const workers: ChildProcess[] = []
const started = performance.now()
let dashboard: Dashboard | undefined

try {
  say(`RedRpc demo: ${urls.length} Redis ${group ? 'started by the test kit' : 'from REDIS_URLS'}: ${urls.join(', ')}`)
  const namespace = `demo-${randomUUID().slice(0, 8)}`
  const rpcUrl = urls[0] as string

  // --- The user's scenario, as the README shows it.
  const resources = { Resource_A: { ttl: 10_000 }, Resource_B: { ttl: 10_000 }, Resource_C: { ttl: 10_000 } }
  // Its own key prefix, so the demo can remove every key it wrote (fencing counters included) from Redis it was given.
  const rlock = new Redlock(urls.map(client), { resources, keyPrefix: `${namespace}:lock:` })
  // The live page of `redrpc dashboard`, served by the demo itself while it runs (DEMO_DASHBOARD_PORT, default: any).
  dashboard = await startDashboard({
    redis: client(rpcUrl),
    namespace,
    lockInstances: urls.map((url) => ({ name: url, redis: client(url) })),
    prefix: `${namespace}:lock:`,
    intervalMs: 1_000,
    port: Number(process.env.DEMO_DASHBOARD_PORT ?? 0),
    host: '127.0.0.1',
  })
  say(`   dashboard: ${dashboard.url} (live while the demo runs; \`redrpc dashboard\` serves the same page)`)
  const redRpc = new RedRpc(rlock, [client(rpcUrl)], { namespace, telemetry: tracing !== undefined })
  const store: Record<string, number> = { Resource_A: 0 }
  await redRpc.registerService('test_service', {
    getResource: {
      lock: (p: { name: string }) => [p.name],
      handler: async (p: { name: string }, ctx) => {
        const value = (store[p.name] ?? 0) + 1 // read-modify-write: safe only under the lock
        await new Promise((resolve) => setTimeout(resolve, 20))
        store[p.name] = value
        return { name: p.name, value, token: ctx.lock.fencingToken, by: ctx.providerId }
      },
    },
    ping: async () => 'pong',
  })
  await redRpc.registerProvider('test_provider', { count: 3 })
  redRpc.registerLbPolicy('RoundRobin')
  const service = redRpc.getInstance('test_service')

  title('1. Round-robin over 3 providers')
  const order: string[] = []
  const onEnd = (e: { provider: string }) => order.push(e.provider)
  redRpc.on('callEnd', onEnd)
  for (let i = 0; i < 9; i++) await service.callApi('ping')
  redRpc.off('callEnd', onEnd)
  say(`   9 x ping -> ${order.join(', ')}`)
  const counts = Object.entries(redRpc.stats().services.test_service?.providers ?? {})
  say(`   per provider: ${counts.map(([id, s]) => `${id} ${s.calls}`).join(', ')}`)

  title('2. Two callers contend for Resource_A (lock-protected method)')
  const callerA = new RedRpc(null, [client(rpcUrl)], { namespace, telemetry: tracing !== undefined })
  const callerB = new RedRpc(null, [client(rpcUrl)], { namespace, telemetry: tracing !== undefined })
  await Promise.all([callerA, callerB].map((c) => c.getInstance('test_service').ready()))
  const calls = [0, 1, 2].flatMap(() =>
    [callerA, callerB].map(async (caller) => ({
      caller: caller === callerA ? 'A' : 'B',
      ...((await caller.getInstance('test_service').callApi('getResource', { name: 'Resource_A' })) as {
        value: number
        token: bigint
        by: string
      }),
    })),
  )
  const results = (await Promise.all(calls)).sort((x, y) => (x.token < y.token ? -1 : 1))
  for (const r of results) say(`   caller ${r.caller} on ${r.by}: fencing token ${r.token}, counter -> ${r.value}`)
  const increasing = results.every((r, i) => i === 0 || r.token > (results[i - 1] as { token: bigint }).token)
  say(`   6 calls, tokens strictly increasing: ${increasing}; counter ${store.Resource_A} (no lost update)`)
  if (tracing) {
    title('2b. One of those calls, traced (--trace): caller -> provider -> lock')
    await callerA.getInstance('test_service').callApi('getResource', { name: 'Resource_A' })
    for (const line of tracing.printTrace('test_service/getResource')) say(`   ${line}`)
  }
  await Promise.all([callerA.close(), callerB.close()])

  title('3. A provider process is killed mid-run (SIGKILL): no call is lost')
  workers.push(...(await Promise.all(['worker_a', 'worker_b'].map((w) => startWorker(w, rpcUrl, namespace)))))
  const work = redRpc.getInstance('work_service')
  await work.ready()
  await waitFor(() => work.providers().length === 2, { timeoutMs: 10_000, what: 'both workers in the registry' })
  say(`   providers: ${work.providers().join(', ')}; sending 200 calls, 16 in flight`)
  let killedAt = 0
  redRpc.on('providerDown', (e) => {
    const after = ((performance.now() - killedAt) / 1000).toFixed(1)
    if (e.service === 'work_service') say(`   registry: ${e.provider} is gone (${e.reason}) ${after} s after the kill`)
  })
  const total = 200
  let next = 0
  let done = 0
  let failed = 0
  const by: Record<string, number> = {}
  let redelivered = 0
  const killAt = 50
  const [victim] = workers as [ChildProcess]
  const runner = async () => {
    while (next < total) {
      const n = next++
      try {
        const r = (await work.callApi('work', { n })) as { n: number; by: string; attempt: number }
        if (r.n !== n) failed++
        by[r.by] = (by[r.by] ?? 0) + 1
        if (r.attempt > 1) redelivered++
      } catch (err) {
        failed++
        say(`   call ${n} failed: ${(err as Error).message}`)
      }
      if (++done === killAt) {
        victim.kill('SIGKILL')
        killedAt = performance.now()
        say(`   after ${killAt} answers: SIGKILL worker_a (pid ${victim.pid})`)
      }
    }
  }
  await Promise.all(Array.from({ length: 16 }, runner))
  say(
    `   answered ${done - failed}/${total}, lost ${failed}; by provider: ${Object.entries(by)
      .map(([id, n]) => `${id} ${n}`)
      .join(', ')}`,
  )
  say(`   ${redelivered} call(s) were re-delivered from the dead provider's inbox to the live one (at-least-once)`)

  title('4. Shutdown')
  await dashboard.close()
  await redRpc.close()
  await rlock.quit()
  for (const w of workers.splice(0)) await stopWorker(w)
  const left = await removeKeys(urls, namespace)
  say(
    `   closed RedRpc, providers deregistered, keys removed; done in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  )
  if (left > 0) say(`   ${left} key(s) of the demo are still in Redis`)
  if (failed > 0 || !increasing || left > 0) process.exitCode = 1
} finally {
  await dashboard?.close()
  await Promise.all(workers.map(stopWorker))
  for (const c of clients) c.disconnect()
  await group?.stop()
}
