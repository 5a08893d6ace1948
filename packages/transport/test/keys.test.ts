import { useRedis } from '@org/testkit/vitest'
import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { TransportClient, TransportServer } from '../src/index.js'

const kit = useRedis()

describe('names never share an inbox (issue #15, defect 1)', () => {
  it('service "a:b" with provider "p" and service "a" with provider "b:p" each answer only their own calls', async () => {
    const namespace = 'crosstalk'
    const first = new TransportServer(kit.redis, { namespace, service: 'a:b', providerId: 'p' })
    const second = new TransportServer(kit.redis, { namespace, service: 'a', providerId: 'b:p' })
    first.handle('who', () => 'a:b / p')
    second.handle('who', () => 'a / b:p')
    await first.start()
    await second.start()
    const client = new TransportClient(kit.redis, { namespace, timeoutMs: 5_000 })
    try {
      expect(first.inboxKey).not.toBe(second.inboxKey)
      for (let i = 0; i < 20; i++) {
        const [one, two] = await Promise.all([
          client.request({ service: 'a:b', providerId: 'p', method: 'who' }),
          client.request({ service: 'a', providerId: 'b:p', method: 'who' }),
        ])
        expect(one).toBe('a:b / p')
        expect(two).toBe('a / b:p')
      }
    } finally {
      await client.close()
      await first.stop()
      await second.stop()
    }
  })

  it('keeps usual names readable in keys', () => {
    const server = new TransportServer(kit.redis, { namespace: 'redrpc', service: 'billing:v2', providerId: 'p-1' })
    expect(server.inboxKey).toBe('redrpc:inbox:{billing:v2/p-1}')
    const odd = new TransportServer(kit.redis, { namespace: 'redrpc', service: 'a/b', providerId: '50%' })
    expect(odd.inboxKey).toBe('redrpc:inbox:{a%2Fb/50%25}')
  })
})

describe('a failed start leaves nothing behind in Redis (issue #15, defect 2)', () => {
  it('with a Redis user that may not run scripts, start() rejects and no key is left', async () => {
    await kit.redis.flushall()
    const port = kit.group.instances[0]!.port
    await kit.redis.acl('SETUSER', 'noscripts', 'on', '>pw', '~*', '+@all', '-eval', '-evalsha')
    const limited = new Redis(port, { username: 'noscripts', password: 'pw', maxRetriesPerRequest: 1 })
    limited.on('error', () => {})
    try {
      const server = new TransportServer(limited, { namespace: 'failed', service: 'svc', providerId: 'p1' })
      await expect(server.start()).rejects.toThrow(/NOPERM|permission/i)
      expect(await kit.redis.keys('*')).toEqual([])
    } finally {
      limited.disconnect()
      await kit.redis.acl('DELUSER', 'noscripts')
    }
  })
})
