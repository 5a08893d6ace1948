import { type RedisClusterHandle, startCluster, waitFor } from '@org/testkit'
import type { Cluster } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AbortError, TransportClient, TransportServer } from '../src/index.js'
import { gate, outcome } from './helpers/gate.js'

let cluster: RedisClusterHandle
let redis: Cluster

beforeAll(async () => {
  cluster = await startCluster({ masters: 3 })
  redis = cluster.client()
})
afterAll(async () => {
  await cluster?.stop()
})

const PROVIDERS = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6']

describe('on a Redis Cluster, calls reach providers whose inboxes live on different nodes', () => {
  it('round trips, remote errors and cancels work for every provider; adoption works across nodes', async () => {
    const namespace = 'cl'
    const release = gate()
    const aborted: string[] = []
    const waiting = new Set<string>()
    const servers = PROVIDERS.map((providerId) => {
      const server = new TransportServer(redis, { namespace, service: 'svc', providerId, codec: 'msgpack' })
      server.handle('who', (params) => ({ providerId, params }))
      server.handle('fail', () => {
        throw Object.assign(new Error('nope'), { code: 'E_NOPE' })
      })
      server.handle('wait', async (_p, ctx) => {
        waiting.add(providerId)
        ctx.signal.addEventListener('abort', () => aborted.push(providerId))
        await release.wait
        return providerId
      })
      return server
    })
    const client = new TransportClient(redis, { namespace, codec: 'msgpack', timeoutMs: 20_000 })
    try {
      await Promise.all(servers.map((s) => s.start()))
      // The inboxes really are spread over the masters.
      const slots = await Promise.all(PROVIDERS.map((p) => redis.cluster('KEYSLOT', `${namespace}:inbox:{svc/${p}}`)))
      const owners = new Set((slots as number[]).map((slot) => redis.slots[slot]?.[0]))
      expect(owners.size).toBeGreaterThan(1)
      for (const providerId of PROVIDERS) {
        const bytes = Buffer.from([1, 2, 3])
        expect(await client.request({ service: 'svc', providerId, method: 'who', params: { bytes } })).toEqual({
          providerId,
          params: { bytes },
        })
        await expect(client.request({ service: 'svc', providerId, method: 'fail' })).rejects.toMatchObject({
          name: 'RemoteError',
          code: 'E_NOPE',
        })
        const controller = new AbortController()
        const call = outcome(client.request({ service: 'svc', providerId, method: 'wait', signal: controller.signal }))
        await waitFor(() => waiting.has(providerId), { what: 'a running wait' })
        controller.abort()
        const result = await call
        expect(result.ok ? undefined : result.error).toBeInstanceOf(AbortError)
      }
      await waitFor(() => aborted.length === PROVIDERS.length, { what: 'every handler to see its cancel' })
      release.open()

      // p1 drains away leaving unread requests; p2 (on its own slot) adopts them.
      const hold = gate()
      const p1 = new TransportServer(redis, { namespace, service: 'svc', providerId: 'solo', concurrency: 1 })
      let ran = 0
      p1.handle('who', async () => {
        ran++
        await hold.wait
        return 'solo'
      })
      await p1.start()
      const call = () => outcome(client.request({ service: 'svc', providerId: 'solo', method: 'who' }))
      const calls = [call()]
      await waitFor(() => ran === 1, { what: 'solo to start one' })
      calls.push(...Array.from({ length: 19 }, call))
      await waitFor(async () => (await redis.xlen('cl:inbox:{svc/solo}')) === 2, { what: 'the unread entry' })
      const stopped = p1.stop()
      hold.open()
      await stopped
      expect(await servers[1]!.adoptOrphans('solo')).toBe(19)
      const results = await Promise.all(calls)
      expect(results.filter((r) => !r.ok)).toEqual([])
      expect(results.filter((r) => r.ok && (r.value as { providerId?: string }).providerId === 'p2')).toHaveLength(19)
    } finally {
      release.open()
      await client.close()
      await Promise.all(servers.map((s) => s.stop()))
    }
  })
})
