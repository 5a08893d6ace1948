import { waitFor } from '@org/testkit'
import { useRedis } from '@org/testkit/vitest'
import { describe, expect, it } from 'vitest'
import { TransportClient, TransportServer } from '../src/index.js'
import { requestRecord } from './helpers/records.js'

const kit = useRedis()

/** The dead letters of one stream as plain objects. */
async function deadLetters(key: string): Promise<Record<string, string>[]> {
  const entries = await kit.redis.xrange(key, '-', '+')
  return entries.map(([, fields]) => {
    const letter: Record<string, string> = {}
    for (let i = 0; i + 1 < fields.length; i += 2) letter[fields[i]!] = fields[i + 1]!
    return letter
  })
}

describe('a reply Redis refuses settles its request for good: acknowledged, dead-lettered, never run again', () => {
  it('the reply key holds a string: the request ends acknowledged with a dead letter, and a restart does not run it', async () => {
    const namespace = 'dl-wrongtype'
    const seen: string[] = []
    const serve = (server: TransportServer) =>
      server.handle('echo', (p, ctx) => {
        seen.push(ctx.requestId)
        return p
      })
    const server = serve(new TransportServer(kit.redis, { namespace, service: 'svc', providerId: 'p1' }))
    await server.start()
    const client = new TransportClient(kit.redis, { namespace, timeoutMs: 1_000 })
    const other = new TransportClient(kit.redis, { namespace })
    const call = { service: 'svc', providerId: 'p1', method: 'echo' }
    let restarted: TransportServer | undefined
    try {
      expect(await client.request({ ...call, params: 1 })).toBe(1)
      const replyKey = `${namespace}:reply:{${client.id}}`
      await kit.redis.del(replyKey)
      await kit.redis.set(replyKey, 'not a stream')
      await expect(client.request({ ...call, params: 2 })).rejects.toMatchObject({
        code: 'TIMEOUT',
        notExecuted: false,
      })
      const failed = seen[1]!
      const dead = `${namespace}:dead:{svc/p1}`
      await waitFor(async () => (await kit.redis.xpending(server.inboxKey, 'providers'))[0] === 0, {
        what: 'the request to be acknowledged',
      })
      const letters = await deadLetters(dead)
      expect(letters).toHaveLength(1)
      expect(letters[0]).toMatchObject({ reason: 'REPLY_FAILED', request: failed, replyTo: replyKey, told: '0' })
      expect(letters[0]!.detail).toMatch(/WRONGTYPE/)
      expect(await kit.redis.pttl(dead)).toBeGreaterThan(0)
      expect(await kit.redis.xlen(server.inboxKey)).toBe(0)

      await server.stop()
      restarted = serve(new TransportServer(kit.redis, { namespace, service: 'svc', providerId: 'p1' }))
      await restarted.start()
      // A restarted provider reads its pending list before anything new: once a new call is answered, a redelivery
      // would have run already.
      expect(await other.request({ ...call, params: 3 })).toBe(3)
      expect(seen.filter((id) => id === failed)).toHaveLength(1)
      expect(seen).toHaveLength(3)
    } finally {
      await client.close()
      await other.close()
      await server.stop()
      await restarted?.stop()
    }
  })

  it('an adopted inbox whose replies fail is drained and deleted, each request run once', async () => {
    const namespace = 'dl-adopt'
    let runs = 0
    const server = new TransportServer(kit.redis, { namespace, service: 'svc', providerId: 'p1' })
    server.handle('echo', (p) => {
      runs++
      return p
    })
    await server.start()
    const orphan = `${namespace}:inbox:{svc/dead}`
    const badReply = `${namespace}:reply:{gone}`
    await kit.redis.set(badReply, 'not a stream')
    await kit.redis.xgroup('CREATE', orphan, 'providers', '0', 'MKSTREAM')
    await kit.redis.xadd(orphan, '*', 'q', requestRecord({ id: 'x.1', replyTo: badReply }))
    await kit.redis.xadd(orphan, '*', 'q', requestRecord({ id: 'x.2', replyTo: badReply }))
    // The dead provider had taken one of them before it died.
    await kit.redis.xreadgroup('GROUP', 'providers', 'dead', 'COUNT', 1, 'STREAMS', orphan, '>')
    try {
      expect(await server.adoptOrphans('dead')).toBe(2)
      expect(await kit.redis.exists(orphan)).toBe(0)
      expect(runs).toBe(2)
      const letters = await deadLetters(`${namespace}:dead:{svc/dead}`)
      expect(letters.map((l) => l.request).sort()).toEqual(['x.1', 'x.2'])
    } finally {
      await server.stop()
    }
  })
})
