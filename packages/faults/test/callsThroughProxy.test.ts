import { RedRpc, RedRpcError } from '@org/redrpc'
import { FaultProxy, type RedisGroup, startRedis, waitFor } from '@org/testkit'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/** Calls whose caller reaches Redis through a fault proxy (latency, a stall, cuts); the provider's link is clean. */
describe('calls through a faulty link between the caller and Redis', () => {
  let group: RedisGroup
  let proxy: FaultProxy
  let provider: RedRpc
  let caller: RedRpc
  let callerRedis: Redis
  const TIMEOUT_MS = 800

  beforeAll(async () => {
    group = await startRedis()
    const server = group.instances[0]!
    proxy = await FaultProxy.start({ target: { host: server.host, port: server.port } })
    provider = new RedRpc(null, [server.client()], { namespace: 'proxy' })
    await provider.registerService('proxied', { echo: { idempotent: true, handler: (p: { n: number }) => p.n } })
    await provider.registerProvider('proxied_provider', { count: 2 })
    callerRedis = new Redis(proxy.port, { host: proxy.host })
    callerRedis.on('error', () => {})
    caller = new RedRpc(null, [callerRedis], {
      namespace: 'proxy',
      call: { timeoutMs: TIMEOUT_MS, retries: 1, retryDelayMs: 10 },
    })
    caller.on('warning', () => {})
  })
  afterAll(async () => {
    await caller?.close()
    await provider?.close()
    callerRedis?.disconnect()
    await proxy?.close()
    await group?.stop()
  })

  /** One call: its result or its error, and how long it took to settle. */
  async function call(n: number): Promise<{ value?: unknown; error?: unknown; ms: number }> {
    const started = performance.now()
    try {
      const value = await caller.getInstance('proxied').callApi('echo', { n })
      return { value, ms: performance.now() - started }
    } catch (error) {
      return { error, ms: performance.now() - started }
    }
  }

  const bound = TIMEOUT_MS * 2 + 10 + 1_000

  it('answers through added latency', async () => {
    proxy.setLatency(20)
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => call(i)))
    proxy.setLatency(0)
    expect(results.map((r) => r.value)).toEqual(Array.from({ length: 20 }, (_, i) => i))
  })

  it('settles every call of a stalled link in time with a typed error, then works again', async () => {
    expect((await call(1)).value).toBe(1)
    proxy.stall()
    const during = await Promise.all(Array.from({ length: 10 }, (_, i) => call(i)))
    proxy.resume()
    for (const r of during) {
      expect(r.error).toBeInstanceOf(RedRpcError)
      expect(r.ms).toBeLessThan(bound)
    }
    await waitFor(async () => (await call(7)).value === 7, { timeoutMs: 10_000, what: 'calls after the stall' })
  })

  it('recovers from connections cut in the middle of calls', async () => {
    const running = Array.from({ length: 20 }, (_, i) => call(i))
    proxy.cut()
    const results = await Promise.all(running)
    for (const r of results) {
      if (r.error !== undefined) expect(r.error).toBeInstanceOf(RedRpcError)
      else expect(typeof r.value).toBe('number')
      expect(r.ms).toBeLessThan(bound)
    }
    await waitFor(async () => (await call(9)).value === 9, { timeoutMs: 10_000, what: 'calls after the cut' })
  })
})
