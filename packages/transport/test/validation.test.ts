import { waitFor } from '@org/testkit'
import { useRedis } from '@org/testkit/vitest'
import { describe, expect, it } from 'vitest'
import { TransportServer } from '../src/index.js'
import { eachReply } from '../src/wire.js'
import { requestRecord } from './helpers/records.js'

const kit = useRedis()

interface Answer {
  status: string
  payload: unknown
}

/** Every reply in a reply stream, by request id. */
async function answers(key: string): Promise<Map<string, Answer>> {
  const out = new Map<string, Answer>()
  for (const [, fields] of await kit.redis.xrangeBuffer(key, '-', '+')) {
    eachReply(fields, (id, status, payload) => {
      out.set(id, { status, payload: payload === undefined ? undefined : JSON.parse(payload.toString('utf8')) })
    })
  }
  return out
}

async function started(namespace: string): Promise<TransportServer> {
  const server = new TransportServer(kit.redis, { namespace, service: 'svc', providerId: 'p1' })
  server.handle('echo', (p) => p)
  await server.start()
  return server
}

describe('every field of every record is checked; a bad record fails alone', () => {
  it('bad records among good ones in one entry: the good ones are answered, each bad one refused alone', async () => {
    const namespace = 'valid-mixed'
    const server = await started(namespace)
    const replyTo = `${namespace}:reply:{probe}`
    await kit.redis.xadd(replyTo, '*', 'x', '1')
    const good = (id: string) => requestRecord({ id, replyTo, params: JSON.stringify(id) })
    const entry = [
      requestRecord({ id: 'b1', replyTo, replyMaxLength: -1 }), // first for its caller: it used to set the batch cap
      good('g1'),
      requestRecord({ id: 'b2', replyTo, attempt: 0 }),
      good('g2'),
      requestRecord({ id: 'b3', replyTo, timeLeftMs: '99999999999999999999' }),
      good('g3'),
      requestRecord({ id: 'b4', replyTo: server.inboxKey }), // a reply address that is not a reply stream
      good('g4'),
      requestRecord({ id: 'b5', replyTo, codec: '' }),
      requestRecord({ id: 'x'.repeat(300), replyTo }),
      good('g5'),
    ].join('')
    try {
      await kit.redis.xadd(server.inboxKey, '*', 'q', entry)
      const got = await waitFor(
        async () => {
          const a = await answers(replyTo)
          return a.size >= 8 ? a : undefined
        },
        { what: 'the answers' },
      )
      for (const id of ['g1', 'g2', 'g3', 'g4', 'g5']) expect(got.get(id)).toEqual({ status: '0', payload: id })
      for (const id of ['b1', 'b2', 'b3', 'b5']) {
        expect(got.get(id)).toMatchObject({ status: '2', payload: { kind: 'codec', notExecuted: true } })
      }
      expect((got.get('b1')!.payload as { message: string }).message).toMatch(/reply stream cap/)
      expect(got.has('b4')).toBe(false)
      await waitFor(async () => (await kit.redis.xlen(server.inboxKey)) === 0, { what: 'the entry to be acknowledged' })
      expect((await kit.redis.xpending(server.inboxKey, 'providers'))[0]).toBe(0)
      const letters = await kit.redis.xrange(`${namespace}:dead:{svc/p1}`, '-', '+')
      expect(letters).toHaveLength(6)
      expect(letters.every(([, f]) => f[1] === 'MALFORMED')).toBe(true)
    } finally {
      await server.stop()
    }
  })

  it('a record whose framing is lost ends its field; the records before it are answered', async () => {
    const namespace = 'valid-framing'
    const server = await started(namespace)
    const replyTo = `${namespace}:reply:{probe}`
    await kit.redis.xadd(replyTo, '*', 'x', '1')
    try {
      const ok = requestRecord({ id: 'g1', replyTo, params: '1' })
      await kit.redis.xadd(server.inboxKey, '*', 'q', `${ok}no newline here`)
      await kit.redis.xadd(server.inboxKey, '*', 'q', `${ok.replace('g1', 'g2')}\t\t\n`)
      await kit.redis.xadd(server.inboxKey, '*', 'junk', 'field')
      const got = await waitFor(
        async () => {
          const a = await answers(replyTo)
          return a.size >= 2 ? a : undefined
        },
        { what: 'the answers' },
      )
      expect(got.get('g1')).toEqual({ status: '0', payload: 1 })
      expect(got.get('g2')).toEqual({ status: '0', payload: 1 })
      await waitFor(async () => (await kit.redis.xlen(`${namespace}:dead:{svc/p1}`)) === 3, { what: 'dead letters' })
      await waitFor(async () => (await kit.redis.xlen(server.inboxKey)) === 0, { what: 'the entries to be acked' })
    } finally {
      await server.stop()
    }
  })
})
