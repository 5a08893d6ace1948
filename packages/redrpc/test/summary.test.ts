import { execFile } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { waitFor } from '@org/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { summaryKey } from '../src/summary/keys.js'
import { parseSummary } from '../src/summary/ProviderSummary.js'
import { readSystem } from '../src/summary/readSystem.js'
import { type Stack, startStack, work } from './helpers.js'

const run = promisify(execFile)
const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli.ts')

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack?.stop()
})

async function topOnce(...extra: string[]): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', cli, 'top', '--once', '--redis', stack.url, '--namespace', stack.namespace, ...extra],
    { timeout: 30_000 },
  )
  return stdout
}

describe('providers publish a live summary of themselves to Redis', { timeout: 60_000 }, () => {
  it('one key per provider with calls/s, errors, p50/p99 and in flight, from in-memory counters', async () => {
    const redRpc = stack.redRpc({ summaryMs: 200 })
    await redRpc.registerService('sum_service', {
      slow: async (p: { ms: number }) => {
        await work(p.ms)
        return p.ms
      },
      fail: () => {
        throw new Error('no')
      },
    })
    await redRpc.registerProvider('sum', { count: 1 })
    const api = redRpc.getInstance('sum_service')
    await Promise.all(Array.from({ length: 20 }, () => api.callApi('slow', { ms: 20 })))
    await api.callApi('fail').catch(() => {})
    const redis = stack.group.instances[0]?.client()
    if (!redis) throw new Error('no redis')
    const key = summaryKey(stack.namespace, 'sum_service', 'sum-1')
    const summary = await waitFor(
      async () => {
        const s = parseSummary(await redis.get(key))
        return s && s.calls === 21 ? s : undefined
      },
      { timeoutMs: 3_000, what: 'a summary counting the 21 calls' },
    )
    expect(summary).toMatchObject({ service: 'sum_service', provider: 'sum-1', version: '1.0.0', errors: 1 })
    expect(summary.inFlight).toBe(0)
    expect(summary.p50).toBeGreaterThanOrEqual(15)
    expect(summary.p99).toBeGreaterThanOrEqual(summary.p50 as number)
    expect(summary.pid).toBe(process.pid)
    const ttl = await redis.pttl(key)
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(200 + 2_000)

    const view = await readSystem(redis, stack.namespace)
    const service = view.services.find((s) => s.name === 'sum_service')
    expect(service?.providers).toEqual([expect.objectContaining({ id: 'sum-1', status: 'up', breaker: 'closed' })])
    expect(service?.providers[0]?.heartbeatAgeMs).toBeLessThan(2_000)

    const table = await topOnce()
    expect(table).toMatch(/SERVICE\/PROVIDER\s+STATUS\s+HEARTBEAT\s+CALLS\/S/)
    expect(table).toMatch(/sum_service\s+1\/1 up/)
    expect(table).toMatch(/ {2}sum-1\s+up\s+\d+ ms/)
    const json = JSON.parse(await topOnce('--json'))
    expect(json.services[0].providers[0].summary.calls).toBe(21)

    await redRpc.close()
    expect(await redis.exists(key)).toBe(0)
    redis.disconnect()
  })

  it('summaryMs: 0 publishes none, and a bad value is refused before anything reaches Redis', async () => {
    expect(() => stack.redRpc({ summaryMs: 50 })).toThrow(RangeError)
    const redRpc = stack.redRpc({ summaryMs: 0 })
    await redRpc.registerService('quiet_service', { ping: () => 'pong' })
    await redRpc.registerProvider('quiet', { count: 1 })
    await redRpc.getInstance('quiet_service').callApi('ping')
    const redis = stack.group.instances[0]?.client()
    if (!redis) throw new Error('no redis')
    const view = await readSystem(redis, stack.namespace)
    const quiet = view.services.find((s) => s.name === 'quiet_service')
    expect(quiet?.providers).toEqual([expect.objectContaining({ id: 'quiet-1', status: 'up', summary: null })])
    expect(await redis.exists(summaryKey(stack.namespace, 'quiet_service', 'quiet-1'))).toBe(0)
    await redRpc.close()
    redis.disconnect()
  })

  it('a process that only calls publishes no summary: only providers have a key', async () => {
    const namespace = `${stack.namespace}-pure`
    const provider = stack.redRpc({ namespace, summaryMs: 100 })
    await provider.registerService('pure_service', { ping: () => 'pong' })
    await provider.registerProvider('pure', { count: 1 })
    const caller = stack.redRpc({ namespace, summaryMs: 100 }, false)
    const api = caller.getInstance('pure_service')
    const redis = stack.group.instances[0]?.client()
    if (!redis) throw new Error('no redis')
    const key = summaryKey(namespace, 'pure_service', 'pure-1')
    const writtenAt = async () => parseSummary((await redis.get(key)) ?? '')?.at ?? 0
    await api.callApi('ping')
    await waitFor(async () => (await writtenAt()) > 0, { timeoutMs: 5_000, what: "the provider's summary" })
    // Two writes of the provider's summary after the caller's first call: at least a whole period went by in which
    // the caller, had it published anything, would have.
    const first = await writtenAt()
    await waitFor(async () => (await writtenAt()) > first, { timeoutMs: 5_000, what: 'a rewrite' })
    const second = await writtenAt()
    await api.callApi('ping')
    await waitFor(async () => (await writtenAt()) > second, { timeoutMs: 5_000, what: 'another rewrite' })
    const summaries = await redis.keys(`${namespace}:*summary*`)
    expect(summaries).toEqual([key])
    await Promise.all([caller.close(), provider.close()])
    expect(await redis.keys(`${namespace}:*summary*`)).toEqual([])
    redis.disconnect()
  })
})
