import { useRedis } from '@org/testkit/vitest'
import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { duplicate } from '../src/connections.js'
import { TransportClient, TransportServer } from '../src/index.js'

const kit = useRedis()

describe('a client made with enableAutoPipelining works as well as a plain one', () => {
  it("the readers' own connections do not auto-pipeline (they write their commands in one corked write)", async () => {
    const given = new Redis({ port: kit.group.instances[0]!.port, lazyConnect: true, enableAutoPipelining: true })
    const reader = duplicate(given)
    const commands = duplicate(given, { enableAutoPipelining: true })
    try {
      // Inherited, auto-pipelining deferred every read and every reply it carried to a pipeline of its own on the
      // next tick: about 30 µs more provider CPU per lone call (issue #20).
      expect(reader.options.enableAutoPipelining).toBe(false)
      expect(commands.options.enableAutoPipelining).toBe(true)
    } finally {
      reader.disconnect()
      commands.disconnect()
      given.disconnect()
    }
  })

  it('lone and concurrent calls succeed with auto-pipelining clients on both ends', async () => {
    const providerRedis = new Redis({ port: kit.group.instances[0]!.port, enableAutoPipelining: true })
    const callerRedis = new Redis({ port: kit.group.instances[0]!.port, enableAutoPipelining: true })
    const server = new TransportServer(providerRedis, { namespace: 'autopipe', service: 'svc', providerId: 'p1' })
    server.handle('echo', (params) => params)
    await server.start()
    const client = new TransportClient(callerRedis, { namespace: 'autopipe', timeoutMs: 5_000 })
    try {
      for (let i = 0; i < 50; i++) {
        expect(await client.request({ service: 'svc', providerId: 'p1', method: 'echo', params: i })).toBe(i)
      }
      const many = await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          client.request({ service: 'svc', providerId: 'p1', method: 'echo', params: i }),
        ),
      )
      expect(many).toEqual(Array.from({ length: 300 }, (_, i) => i))
    } finally {
      await client.close()
      await server.stop()
      providerRedis.disconnect()
      callerRedis.disconnect()
    }
  })
})
