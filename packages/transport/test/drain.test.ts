import { waitFor } from '@org/testkit'
import { useRedis } from '@org/testkit/vitest'
import { describe, expect, it } from 'vitest'
import { ShutdownError, TransportClient, TransportServer } from '../src/index.js'
import { gate, outcome } from './helpers/gate.js'

const kit = useRedis()

describe('stop({ drain: true }) finishes running calls and leaves the rest for an adopter', () => {
  it('running calls answer, unread ones stay in the inbox, and an adopter serves them', async () => {
    const namespace = 'drain'
    const release = gate()
    const ran: string[] = []
    const a = new TransportServer(kit.redis, { namespace, service: 'svc', providerId: 'a', concurrency: 2 })
    a.handle('work', async (params) => {
      ran.push(`a:${params}`)
      await release.wait
      return `a:${params}`
    })
    await a.start()
    const client = new TransportClient(kit.redis, { namespace, timeoutMs: 20_000 })
    const b = new TransportServer(kit.redis, { namespace, service: 'svc', providerId: 'b' })
    b.handle('work', (params) => `b:${params}`)
    try {
      const call = (i: number) =>
        outcome(client.request({ service: 'svc', providerId: 'a', method: 'work', params: i }))
      const calls = [call(1), call(2)]
      await waitFor(() => ran.length === 2, { what: 'two handlers running' })
      // Requests made in one turn travel in one stream entry: these three are one entry, still unread.
      calls.push(call(3), call(4), call(5))
      await waitFor(async () => (await kit.redis.xlen('drain:inbox:{svc/a}')) === 2, { what: 'the second entry' })
      let stopped = false
      const stopping = a.stop({ drain: true }).then(() => {
        stopped = true
      })
      await waitFor(() => a.running === 2, { what: 'the stop to begin' })
      expect(stopped).toBe(false)
      release.open()
      await stopping
      expect(await Promise.all(calls.slice(0, 2))).toEqual([
        { ok: true, value: 'a:1' },
        { ok: true, value: 'a:2' },
      ])
      // The answered entry was acknowledged and deleted; the unread one is still there, unclaimed.
      expect(await kit.redis.xlen('drain:inbox:{svc/a}')).toBe(1)
      const pending = (await kit.redis.xpending('drain:inbox:{svc/a}', 'providers')) as [number, ...unknown[]]
      expect(pending[0]).toBe(0)
      await b.start()
      expect(await b.adoptOrphans('a')).toBe(3)
      expect(await Promise.all(calls.slice(2))).toEqual([
        { ok: true, value: 'b:3' },
        { ok: true, value: 'b:4' },
        { ok: true, value: 'b:5' },
      ])
      expect(ran).toEqual(['a:1', 'a:2'])
    } finally {
      release.open()
      await client.close()
      await b.stop()
    }
  })
})

describe('stop({ drain: false }) aborts running handlers and answers their callers with ShutdownError', () => {
  it('the caller gets ShutdownError at once and the handler sees its signal abort', async () => {
    const namespace = 'nodrain'
    const reasons: unknown[] = []
    const server = new TransportServer(kit.redis, { namespace, service: 'svc', providerId: 'a' })
    server.handle('hang', (_params, ctx) => {
      return new Promise((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => {
          reasons.push(ctx.signal.reason)
          reject(ctx.signal.reason)
        })
      })
    })
    await server.start()
    const client = new TransportClient(kit.redis, { namespace, timeoutMs: 20_000 })
    try {
      const call = client.request({ service: 'svc', providerId: 'a', method: 'hang' }).catch((e: unknown) => e)
      await waitFor(() => server.running === 1, { what: 'the handler to run' })
      await server.stop({ drain: false })
      const err = await call
      expect(err).toBeInstanceOf(ShutdownError)
      expect(err).toMatchObject({ code: 'SHUTDOWN', notExecuted: false })
      expect(reasons[0]).toBeInstanceOf(ShutdownError)
      expect(await kit.redis.xlen('nodrain:inbox:{svc/a}')).toBe(0)
    } finally {
      await client.close()
    }
  })
})

describe('closing a client settles every call it has', () => {
  it('calls in flight and queued reject with ShutdownError; queued ones say they never ran', async () => {
    const namespace = 'close'
    const release = gate()
    const server = new TransportServer(kit.redis, { namespace, service: 'svc', providerId: 'a' })
    server.handle('wait', () => release.wait)
    await server.start()
    const client = new TransportClient(kit.redis, { namespace, maxInFlight: 1 })
    try {
      const inFlight = outcome(client.request({ service: 'svc', providerId: 'a', method: 'wait' }))
      const queued = outcome(client.request({ service: 'svc', providerId: 'a', method: 'wait' }))
      expect(client.queued).toBe(1)
      await client.close()
      const [a, b] = await Promise.all([inFlight, queued])
      expect(a.ok ? undefined : a.error).toMatchObject({ name: 'ShutdownError', notExecuted: false })
      expect(b.ok ? undefined : b.error).toMatchObject({ name: 'ShutdownError', notExecuted: true })
      expect(await kit.redis.exists(`close:reply:{${client.id}}`)).toBe(0)
      await expect(client.request({ service: 'svc', providerId: 'a', method: 'wait' })).rejects.toMatchObject({
        name: 'ShutdownError',
        notExecuted: true,
      })
    } finally {
      release.open()
      await server.stop()
    }
  })
})
