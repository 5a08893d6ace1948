import { waitFor } from '@org/testkit'
import { useRedis } from '@org/testkit/vitest'
import { describe, expect, it } from 'vitest'
import { AbortError, type HandlerContext, TimeoutError, TransportClient, TransportServer } from '../src/index.js'
import { gate } from './helpers/gate.js'

const kit = useRedis()

/** A server whose `wait` handler blocks until a gate opens, recording when its signal aborts. */
async function setup(namespace: string, concurrency = 8) {
  const seen: { ctx: HandlerContext; reason?: unknown }[] = []
  const started: string[] = []
  const release = gate()
  const server = new TransportServer(kit.redis, { namespace, service: 'svc', providerId: 'p1', concurrency })
  server.handle('wait', async (params, ctx) => {
    started.push(String(params))
    const record: { ctx: HandlerContext; reason?: unknown } = { ctx }
    seen.push(record)
    // The handler keeps running after its signal aborts (as a careless one would): the caller must not wait for it.
    ctx.signal.addEventListener('abort', () => {
      record.reason = ctx.signal.reason
    })
    await release.wait
    return 'done'
  })
  await server.start()
  const client = new TransportClient(kit.redis, { namespace })
  const close = async () => {
    release.open()
    await client.close()
    await server.stop()
  }
  return { server, client, seen, started, release, close }
}

describe('a call that gets no reply in time rejects with TimeoutError, and the handler is told', () => {
  it('rejects after timeoutMs and aborts ctx.signal at the deadline', async () => {
    const t = await setup('timeout')
    try {
      const err = await t.client
        .request({ service: 'svc', providerId: 'p1', method: 'wait', params: 'a', timeoutMs: 300 })
        .catch((e: unknown) => e)
      expect(err).toBeInstanceOf(TimeoutError)
      expect(err).toMatchObject({ code: 'TIMEOUT', notExecuted: false })
      await waitFor(() => t.seen[0]?.reason, { what: 'the handler signal to abort' })
      expect(t.seen[0]!.reason).toBeInstanceOf(TimeoutError)
      // The deadline travels: the handler knew how long it had.
      expect(t.seen[0]!.ctx.deadline).toBeLessThanOrEqual(performance.now())
    } finally {
      await t.close()
    }
  })
})

describe('a cancelled call rejects with AbortError, and the handler is told', () => {
  it('aborting the signal rejects at once and aborts the running handler', async () => {
    const t = await setup('abort')
    try {
      const controller = new AbortController()
      const call = t.client.request({
        service: 'svc',
        providerId: 'p1',
        method: 'wait',
        params: 'a',
        signal: controller.signal,
        timeoutMs: 20_000,
      })
      await waitFor(() => t.started.length === 1, { what: 'the handler to start' })
      controller.abort()
      await expect(call).rejects.toBeInstanceOf(AbortError)
      await waitFor(() => t.seen[0]?.reason, { what: 'the cancel to reach the handler' })
      expect(t.seen[0]!.reason).toBeInstanceOf(AbortError)
      // The cancel stream expires (within the call's time) instead of staying in Redis after its provider is gone.
      const ttl = await kit.redis.pttl('abort:cancel:{svc/p1}')
      expect(ttl).toBeGreaterThan(0)
      expect(ttl).toBeLessThanOrEqual(20_000)
    } finally {
      await t.close()
    }
  })

  it('a signal aborted before the call rejects with notExecuted and sends nothing', async () => {
    const t = await setup('abort-before')
    try {
      const err = await t.client
        .request({ service: 'svc', providerId: 'p1', method: 'wait', signal: AbortSignal.abort() })
        .catch((e: unknown) => e)
      expect(err).toMatchObject({ name: 'AbortError', code: 'ABORTED', notExecuted: true })
      expect(await kit.redis.xlen('abort-before:inbox:{svc/p1}')).toBe(0)
      expect(t.started).toEqual([])
    } finally {
      await t.close()
    }
  })
})

describe('a request whose deadline passed before a provider took it is skipped, never run', () => {
  it('a request stuck behind a busy provider expires unrun, and the next one still runs', async () => {
    const t = await setup('skip', 1)
    try {
      const first = t.client.request({
        service: 'svc',
        providerId: 'p1',
        method: 'wait',
        params: 'first',
        timeoutMs: 20_000,
      })
      await waitFor(() => t.started.length === 1, { what: 'the first handler to start' })
      const late = await t.client
        .request({ service: 'svc', providerId: 'p1', method: 'wait', params: 'late', timeoutMs: 200 })
        .catch((e: unknown) => e)
      expect(late).toBeInstanceOf(TimeoutError)
      // The caller's timer starts before the request is written: under load the deadline stamped in Redis (the entry's
      // id + 200 ms) can still be ahead. The gate opens once Redis' own clock is past it, with room for the provider's
      // reading of that clock.
      const entries = await kit.redis.xrange('skip:inbox:{svc/p1}', '-', '+')
      const lateAt = Math.max(...entries.map(([id]) => Number(id.split('-')[0])))
      await waitFor(
        async () => {
          const [seconds, micros] = await kit.redis.time()
          return Number(seconds) * 1_000 + Number(micros) / 1_000 > lateAt + 200 + 50
        },
        { what: "the late request's deadline to pass on Redis' clock" },
      )
      t.release.open()
      expect(await first).toBe('done')
      expect(await t.client.request({ service: 'svc', providerId: 'p1', method: 'wait', params: 'next' })).toBe('done')
      expect(t.started).toEqual(['first', 'next'])
      // The skipped request was acknowledged and deleted all the same.
      await waitFor(async () => (await kit.redis.xlen('skip:inbox:{svc/p1}')) === 0, { what: 'an empty inbox' })
    } finally {
      await t.close()
    }
  })
})
