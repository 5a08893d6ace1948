import { waitFor } from '@org/testkit'
import { useRedis } from '@org/testkit/vitest'
import { describe, expect, it } from 'vitest'
import { TransportClient, TransportServer } from '../src/index.js'

const kit = useRedis()

describe('after Redis restarts empty, providers and callers rebuild their streams by themselves', () => {
  it('calls fail with typed errors while Redis is away, then succeed again without any restart of ours', async () => {
    const namespace = 'restart'
    const server = new TransportServer(kit.redis, { namespace, service: 'svc', providerId: 'p1', blockMs: 500 })
    server.handle('echo', (p) => p)
    await server.start()
    const client = new TransportClient(kit.redis, { namespace, timeoutMs: 1_000, blockMs: 500 })
    try {
      expect(await client.request({ service: 'svc', providerId: 'p1', method: 'echo', params: 1 })).toBe(1)
      await kit.group.instances[0]!.restart()
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
      for (const code of errors) expect(['NO_PROVIDER', 'TIMEOUT', 'CONNECTION', 'REDIS_UNAVAILABLE']).toContain(code)
      expect(await kit.redis.exists('restart:inbox:{svc/p1}')).toBe(1)
      expect(await kit.redis.exists(`restart:reply:{${client.id}}`)).toBe(1)
    } finally {
      await client.close()
      await server.stop()
    }
  })
})
