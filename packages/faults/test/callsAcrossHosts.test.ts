import { Network, RedisInstance, sharedNow, waitFor } from '@org/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type HostProcess, startFixture } from '../src/hostProcess.js'

const support = Network.support()
if (!support.ok) console.warn(`call fault suite skipped: ${support.reason}`)

interface CallOutcome {
  ok: boolean
  method: 'echo' | 'record'
  id: string
  at: number
  settledMs: number
  typed?: boolean
  chain?: string[]
  message?: string
}

describe.skipIf(!support.ok)('calls from one host to providers on two others, across partitions', () => {
  let network: Network
  let db: RedisInstance
  const providers: HostProcess[] = []

  beforeAll(async () => {
    network = Network.create(['db', 'p1', 'p2', 'caller'])
    db = await RedisInstance.start({ on: network.host('db') })
    for (const host of ['p1', 'p2']) {
      const provider = startFixture(network, host, 'provider.ts', { REDIS_URL: db.url, PROVIDER: host })
      providers.push(provider)
      await waitFor(() => provider.messages.some((m) => m.type === 'ready'), { timeoutMs: 15_000, what: host })
    }
  })
  afterAll(async () => {
    for (const p of providers) p.child.kill('SIGKILL')
    await db?.stop()
    network?.destroy()
  })

  it('settles every call in time (provider, caller and Redis cut off in turn) with a result or a typed error, loses no answered call, and recovers', async () => {
    const TIMEOUT_MS = 1_500
    const RETRIES = 2
    const caller = startFixture(network, 'caller', 'caller.ts', {
      REDIS_URL: db.url,
      DURATION_MS: 20_000,
      WORKERS: 2,
      TIMEOUT_MS,
    })
    const calls = () => caller.messages.filter((m) => m.type === 'call') as unknown as CallOutcome[]
    const okSince = (t: number) => calls().filter((c) => c.ok && c.at > t).length
    await waitFor(() => okSince(0) > 20, { timeoutMs: 15_000, what: 'the first calls' })

    // A provider cut off: its heartbeats stop, the registry drops it, the other provider takes its inbox over.
    network.disconnect('p1')
    const cut = sharedNow()
    await waitFor(() => okSince(cut) > 20, { timeoutMs: 10_000, what: 'calls served without p1' })
    await waitFor(() => sharedNow() > cut + 4_000, { timeoutMs: 5_000, what: 'p1 to be gone for 4 s' })
    network.reconnect('p1')
    // The caller itself cut off, then back.
    network.disconnect('caller')
    const callerCut = sharedNow()
    await waitFor(() => sharedNow() > callerCut + 2_000, { timeoutMs: 5_000, what: 'the caller to be gone for 2 s' })
    network.reconnect('caller')
    // Redis itself cut off from everyone, then back: calls fail in time, typed, and work again after.
    const callerBack = sharedNow()
    await waitFor(() => okSince(callerBack) > 5, { timeoutMs: 10_000, what: 'calls after the caller came back' })
    network.disconnect('db')
    const dbCut = sharedNow()
    await waitFor(() => sharedNow() > dbCut + 2_000, { timeoutMs: 5_000, what: 'Redis to be gone for 2 s' })
    network.reconnect('db')
    const healed = sharedNow()
    await waitFor(() => okSince(healed) > 20, { timeoutMs: 10_000, what: 'calls after the network healed' })

    expect(await caller.exited).toBe(0)
    expect(caller.messages.at(-1)).toEqual({ type: 'done' })

    const outcomes = calls()
    const failures = outcomes.filter((c) => !c.ok)
    expect(failures.filter((f) => !f.typed)).toEqual([])
    // Each attempt is bounded by its timeout; with its retries and their delays, a call never waits longer.
    const bound = TIMEOUT_MS * (RETRIES + 1) + 25 * RETRIES + 1_000
    expect(outcomes.filter((c) => c.settledMs > bound)).toEqual([])
    // Idempotent calls fail over; most calls succeed even with a provider and then the caller cut off.
    const echoes = outcomes.filter((c) => c.method === 'echo')
    expect(echoes.filter((c) => c.ok).length / echoes.length).toBeGreaterThan(0.8)

    // Nothing answered is lost: every `record` the caller saw succeed ran on a provider (at least once).
    const runs = await network.run('caller', 'redis-cli', ['-h', db.host, '--raw', 'hgetall', 'faults:runs'])
    const lines = runs.output.trim().split('\n')
    const ran = new Map<string, number>()
    for (let i = 0; i + 1 < lines.length; i += 2) ran.set(lines[i] as string, Number(lines[i + 1]))
    const answered = outcomes.filter((c) => c.method === 'record' && c.ok)
    expect(answered.filter((c) => !ran.has(c.id))).toEqual([])
  })
})
