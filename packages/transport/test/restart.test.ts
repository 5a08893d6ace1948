import { type RedisGroup, startRedis, waitFor } from '@org/testkit'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TransportClient, TransportServer } from '../src/index.js'

let group: RedisGroup
let redis: Redis

beforeAll(async () => {
  group = await startRedis()
  redis = group.instances[0]!.client()
})
afterAll(async () => {
  await group?.stop()
})

describe('after Redis restarts empty, providers and callers rebuild their streams by themselves', () => {
  it('calls fail with typed errors while Redis is away, then succeed again without any restart of ours', async () => {
    const namespace = 'restart'
    const server = new TransportServer(redis, { namespace, service: 'svc', providerId: 'p1', blockMs: 500 })
    server.handle('echo', (p) => p)
    await server.start()
    const client = new TransportClient(redis, { namespace, timeoutMs: 1_000, blockMs: 500 })
    try {
      expect(await client.request({ service: 'svc', providerId: 'p1', method: 'echo', params: 1 })).toBe(1)
      await group.instances[0]!.restart()
      const errors = new Set<string>()
      await waitFor(
        () =>
          client.request({ service: 'svc', providerId: 'p1', method: 'echo', params: 2 }).then(
            (v) => v === 2,
            (e: Error & { code?: string }) => {
              errors.add(e.code ?? e.name)
              return false
            },
          ),
        { timeoutMs: 30_000, intervalMs: 100, what: 'a call to succeed after the restart' },
      )
      // Whatever failed meanwhile failed with a transport error, never silently.
      for (const code of errors) expect(['NO_PROVIDER', 'TIMEOUT', 'CONNECTION']).toContain(code)
      expect(await redis.exists('restart:inbox:{svc:p1}')).toBe(1)
      expect(await redis.exists(`restart:reply:{${client.id}}`)).toBe(1)
    } finally {
      await client.close()
      await server.stop()
    }
  })
})
