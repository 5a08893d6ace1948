import { waitFor } from '@org/testkit'
import { useRedis } from '@org/testkit/vitest'
import { describe, expect, it } from 'vitest'
import { TransportClient, TransportError, TransportServer } from '../src/index.js'
import { outcome } from './helpers/gate.js'

const kit = useRedis()

describe('after keys are lost (FLUSHALL, a failover to an empty replica), calls succeed again within about a second', () => {
  it('FLUSHALL mid-run: calls in flight settle with a result or a typed error, new calls succeed within 2 s', async () => {
    const namespace = 'keyloss'
    const server = new TransportServer(kit.redis, { namespace, service: 'svc', providerId: 'p1' })
    server.handle('slow', async (p: number) => {
      await new Promise((r) => setTimeout(r, 100))
      return p
    })
    await server.start()
    const client = new TransportClient(kit.redis, { namespace, timeoutMs: 2_000 })
    const call = (n: number) => client.request({ service: 'svc', providerId: 'p1', method: 'slow', params: n })
    try {
      expect(await call(0)).toBe(0)
      // Calls in flight at the flush: some run in the handler (their replies find the stream gone), some wait unread.
      const inFlight = Array.from({ length: 20 }, (_, i) => outcome(call(i + 1)))
      await new Promise((r) => setTimeout(r, 50))
      await kit.redis.flushall()
      const flushedAt = performance.now()
      await waitFor(
        () =>
          call(100).then(
            (v) => v === 100,
            () => false,
          ),
        {
          timeoutMs: 2_000,
          intervalMs: 20,
          what: 'a call to succeed after FLUSHALL',
        },
      )
      expect(performance.now() - flushedAt).toBeLessThan(2_000)
      const settled = await Promise.all(inFlight)
      settled.forEach((o, i) => {
        if (o.ok) expect(o.value).toBe(i + 1)
        else expect(o.error).toBeInstanceOf(TransportError)
      })
      // The handlers that were running answered: their replies were not dropped.
      expect(settled.filter((o) => o.ok).length).toBeGreaterThan(0)
      // Streams are back with their ttl; nothing waits pending.
      expect(await kit.redis.pttl(`${namespace}:reply:{${client.id}}`)).toBeGreaterThan(10_000)
      await waitFor(async () => (await kit.redis.xlen(server.inboxKey)) === 0, { what: 'the inbox to drain' })
    } finally {
      await client.close()
      await server.stop()
    }
  })

  it('keys lost on a server whose clock is behind (replies sort below what was read): calls recover', async () => {
    const namespace = 'keyloss-clock'
    const server = new TransportServer(kit.redis, { namespace, service: 'svc', providerId: 'p1' })
    server.handle('echo', (p: number) => p)
    await server.start()
    const client = new TransportClient(kit.redis, { namespace, timeoutMs: 1_000, blockMs: 500 })
    const call = (n: number) => client.request({ service: 'svc', providerId: 'p1', method: 'echo', params: n })
    try {
      expect(await call(1)).toBe(1)
      // The old master's clock ran far ahead: the reader has read up to an id no new server will reach soon.
      await kit.redis.xadd(`${namespace}:reply:{${client.id}}`, '99999999999999-0', 'x', '1')
      expect(await call(2)).toBe(2)
      // The failover to an empty replica with today's clock: every new id is below the reader's position.
      await kit.redis.flushall()
      await waitFor(
        () =>
          call(3).then(
            (v) => v === 3,
            () => false,
          ),
        { timeoutMs: 10_000, intervalMs: 20, what: 'a call to succeed after the keys came back with lower ids' },
      )
    } finally {
      await client.close()
      await server.stop()
    }
  })

  it('a reply whose stream is gone after its deadline is dead-lettered, and no key is created for it', async () => {
    const namespace = 'keyloss-late'
    const server = new TransportServer(kit.redis, { namespace, service: 'svc', providerId: 'p1' })
    server.handle('late', async () => {
      await new Promise((r) => setTimeout(r, 400))
      return 'late'
    })
    await server.start()
    const client = new TransportClient(kit.redis, { namespace, timeoutMs: 200 })
    try {
      const late = outcome(client.request({ service: 'svc', providerId: 'p1', method: 'late' }))
      await waitFor(() => server.running === 1, { what: 'the handler to run' })
      await client.close()
      expect((await late).ok).toBe(false)
      const dead = `${namespace}:dead:{svc/p1}`
      await waitFor(async () => (await kit.redis.xlen(dead)) === 1, { what: 'the dead letter' })
      const [[, fields]] = (await kit.redis.xrange(dead, '-', '+')) as [[string, string[]]]
      expect(fields.slice(0, 2)).toEqual(['reason', 'REPLY_STREAM_GONE'])
      expect(await kit.redis.exists(`${namespace}:reply:{${client.id}}`)).toBe(0)
    } finally {
      await server.stop()
    }
  })
})
