import { waitFor } from '@org/testkit'
import { useRedis } from '@org/testkit/vitest'
import { describe, expect, it } from 'vitest'
import { TransportClient, TransportServer } from '../src/index.js'
import { outcome } from './helpers/gate.js'
import { startProvider } from './helpers/providerProcess.js'

const kit = useRedis()

const CALLS = 1_000

function fire(client: TransportClient, providerId: string) {
  let settled = 0
  const calls = Array.from({ length: CALLS }, (_, i) =>
    outcome(client.request({ service: 'svc', providerId, method: 'echo', params: i })).finally(() => settled++),
  )
  return { calls, settled: () => settled }
}

describe('a provider killed under load loses no call: a live provider adopts its inbox', () => {
  it('1,000 calls in flight, provider SIGKILLed, another adopts: every call resolves with its own result', async () => {
    const namespace = 'crash-adopt'
    const a = await startProvider({
      REDIS_URL: kit.group.instances[0]!.url,
      NAMESPACE: namespace,
      PROVIDER_ID: 'a',
      CONCURRENCY: '20',
      DELAY_MS: '20',
    })
    const client = new TransportClient(kit.redis, { namespace, timeoutMs: 60_000 })
    const b = new TransportServer(kit.redis, { namespace, service: 'svc', providerId: 'b', concurrency: 50 })
    b.handle('echo', (params) => params)
    try {
      const { calls, settled } = fire(client, 'a')
      await waitFor(() => settled() >= 100, { timeoutMs: 30_000, what: '100 calls answered by a' })
      await a.kill()
      expect(settled()).toBeLessThan(CALLS)
      await b.start()
      const adopted = await b.adoptOrphans('a')
      expect(adopted).toBeGreaterThan(0)
      const results = await Promise.all(calls)
      expect(results.filter((r) => !r.ok)).toEqual([])
      expect(results.map((r) => (r.ok ? r.value : undefined))).toEqual(Array.from({ length: CALLS }, (_, i) => i))
      // The adopted inbox is gone, so a later call learns at once that nobody serves it.
      expect(await kit.redis.exists(`${namespace}:inbox:{svc/a}`)).toBe(0)
      await expect(client.request({ service: 'svc', providerId: 'a', method: 'echo' })).rejects.toMatchObject({
        code: 'NO_PROVIDER',
        notExecuted: true,
      })
    } finally {
      await a.kill()
      await client.close()
      await b.stop()
    }
  })
})

describe('a provider restarted under load serves what it had taken before it died', () => {
  it('1,000 calls in flight, provider SIGKILLed and started again with the same id: every call resolves', async () => {
    const namespace = 'crash-restart'
    const env = {
      REDIS_URL: kit.group.instances[0]!.url,
      NAMESPACE: namespace,
      PROVIDER_ID: 'a',
      CONCURRENCY: '20',
      DELAY_MS: '20',
    }
    let a = await startProvider(env)
    const client = new TransportClient(kit.redis, { namespace, timeoutMs: 60_000 })
    try {
      const { calls, settled } = fire(client, 'a')
      await waitFor(() => settled() >= 100, { timeoutMs: 30_000, what: '100 calls answered' })
      await a.kill()
      const before = settled()
      expect(before).toBeLessThan(CALLS)
      a = await startProvider(env)
      const results = await Promise.all(calls)
      expect(results.filter((r) => !r.ok)).toEqual([])
      expect(results.map((r) => (r.ok ? r.value : undefined))).toEqual(Array.from({ length: CALLS }, (_, i) => i))
      // Everything handled was acknowledged and deleted: the inbox is empty and nothing is pending.
      await waitFor(async () => (await kit.redis.xlen(`${namespace}:inbox:{svc/a}`)) === 0, { what: 'an empty inbox' })
    } finally {
      await a.kill()
      await client.close()
    }
  })
})
