import { useRedis } from '@org/testkit/vitest'
import type { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import {
  CodecError,
  OverloadError,
  PayloadTooLargeError,
  RemoteError,
  TransportClient,
  TransportServer,
} from '../src/index.js'
import { gate } from './helpers/gate.js'

const kit = useRedis()

const cycle = (): unknown => {
  const a: Record<string, unknown> = {}
  a.self = a
  return a
}

describe('bad options are refused at construction, naming the option', () => {
  it('server options', () => {
    const ok = { service: 'svc', providerId: 'p1' }
    expect(() => new TransportServer(kit.redis, { ...ok, service: '' })).toThrow(/options.service must not be empty/)
    expect(() => new TransportServer(kit.redis, { ...ok, providerId: 'a{b}' })).toThrow(RangeError)
    expect(() => new TransportServer(kit.redis, { ...ok, namespace: 'x\ny' })).toThrow(/control characters/)
    expect(() => new TransportServer(kit.redis, { ...ok, concurrency: 0 })).toThrow(/options.concurrency/)
    expect(() => new TransportServer(kit.redis, { ...ok, codec: 'xml' as 'json' })).toThrow(TypeError)
    expect(() => new TransportServer(kit.redis, { ...ok, maxPayloadBytes: -1 })).toThrow(/maxPayloadBytes/)
    expect(() => new TransportServer({} as Redis, ok)).toThrow(/redis must be an ioredis client/)
    const server = new TransportServer(kit.redis, ok)
    expect(() => server.handle('', () => 1)).toThrow(/method must not be empty/)
    expect(() => server.handle('m', 'nope' as never)).toThrow(TypeError)
    server.handle('m', () => 1)
    expect(() => server.handle('m', () => 2)).toThrow(/already has a handler/)
    expect(() => server.stop({ drain: 'yes' as never })).toThrow(TypeError)
  })

  it('client options', () => {
    expect(() => new TransportClient(kit.redis, { timeoutMs: 0 })).toThrow(/options.timeoutMs/)
    expect(() => new TransportClient(kit.redis, { timeoutMs: Number.NaN })).toThrow(RangeError)
    expect(() => new TransportClient(kit.redis, { maxInFlight: 1.5 })).toThrow(/options.maxInFlight/)
    expect(() => new TransportClient(kit.redis, { overflow: 'drop' as 'queue' })).toThrow(/options.overflow/)
    expect(() => new TransportClient(kit.redis, { codec: { name: 'x' } as never })).toThrow(/options.codec/)
    expect(() => new TransportClient(kit.redis, { namespace: '' })).toThrow(/options.namespace/)
  })
})

describe('bad call input rejects with a typed error before anything is sent', () => {
  it('empty names, bad timeouts, unencodable params and oversized payloads never reach the inbox', async () => {
    const namespace = 'bad'
    await kit.redis.xgroup('CREATE', 'bad:inbox:{svc/p1}', 'providers', '0', 'MKSTREAM')
    const client = new TransportClient(kit.redis, { namespace, maxPayloadBytes: 1024 })
    const base = { service: 'svc', providerId: 'p1', method: 'echo' }
    try {
      await expect(client.request({ ...base, method: '' })).rejects.toThrow(/request options.method must not be empty/)
      await expect(client.request({ ...base, service: '' })).rejects.toBeInstanceOf(RangeError)
      await expect(client.request({ ...base, providerId: 42 as never })).rejects.toBeInstanceOf(TypeError)
      await expect(client.request({ ...base, timeoutMs: 0 })).rejects.toThrow(/request options.timeoutMs/)
      await expect(client.request({ ...base, timeoutMs: -5 })).rejects.toBeInstanceOf(RangeError)
      await expect(client.request({ ...base, signal: {} as AbortSignal })).rejects.toThrow(
        /signal must be an AbortSignal/,
      )
      await expect(client.request({ ...base, metadata: 'x' as never })).rejects.toThrow(/metadata must be an object/)
      await expect(client.request(null as never)).rejects.toBeInstanceOf(TypeError)
      await expect(client.request({ ...base, params: { f: () => 1 } })).rejects.toThrow(/params.f is a function/)
      await expect(client.request({ ...base, params: cycle() })).rejects.toThrow(/params.self refers back to itself/)
      await expect(client.request({ ...base, params: { n: 10n } })).rejects.toThrow(/params.n is a BigInt/)
      await expect(client.request({ ...base, params: [Symbol('s')] })).rejects.toBeInstanceOf(CodecError)
      const big = await client.request({ ...base, params: 'x'.repeat(2048) }).catch((e: unknown) => e)
      expect(big).toBeInstanceOf(PayloadTooLargeError)
      expect(big).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', notExecuted: true, size: 2050, limit: 1024 })
      const bad = await client.request({ ...base, params: cycle() }).catch((e: unknown) => e)
      expect(bad).toMatchObject({ name: 'CodecError', code: 'CODEC_ERROR', notExecuted: true })
      expect(await kit.redis.xlen('bad:inbox:{svc/p1}')).toBe(0)
    } finally {
      await client.close()
    }
  })

  it('msgpack refuses functions and cycles too, but carries BigInt', async () => {
    const client = new TransportClient(kit.redis, { namespace: 'bad-mp', codec: 'msgpack' })
    const server = new TransportServer(kit.redis, {
      namespace: 'bad-mp',
      service: 'svc',
      providerId: 'p1',
      codec: 'msgpack',
    })
    server.handle('echo', (params) => params)
    await server.start()
    const base = { service: 'svc', providerId: 'p1', method: 'echo' }
    try {
      await expect(client.request({ ...base, params: { f: () => 1 } })).rejects.toBeInstanceOf(CodecError)
      await expect(client.request({ ...base, params: cycle() })).rejects.toBeInstanceOf(CodecError)
      expect(await client.request({ ...base, params: { n: 10n } })).toEqual({ n: 10n })
    } finally {
      await client.close()
      await server.stop()
    }
  })
})

describe('what a provider cannot serve comes back as a typed error', () => {
  it('unknown method, unencodable or oversized result, missing provider', async () => {
    const namespace = 'refuse'
    const server = new TransportServer(kit.redis, {
      namespace,
      service: 'svc',
      providerId: 'p1',
      maxPayloadBytes: 1024,
    })
    server.handle('big', () => 'x'.repeat(4096))
    server.handle('fn', () => ({ f: () => 1 }))
    server.handle('echo', (p) => p)
    await server.start()
    const client = new TransportClient(kit.redis, { namespace })
    const base = { service: 'svc', providerId: 'p1' }
    try {
      const unknown = await client.request({ ...base, method: 'nope' }).catch((e: unknown) => e)
      expect(unknown).toBeInstanceOf(RemoteError)
      expect(unknown).toMatchObject({
        code: 'UNKNOWN_METHOD',
        notExecuted: true,
        data: { methods: ['big', 'echo', 'fn'] },
      })
      expect((unknown as Error).message).toMatch(/unknown method 'nope'; known: big, echo, fn/)
      await expect(client.request({ ...base, method: 'big' })).rejects.toMatchObject({
        name: 'PayloadTooLargeError',
        notExecuted: false,
      })
      await expect(client.request({ ...base, method: 'fn' })).rejects.toMatchObject({
        name: 'CodecError',
        notExecuted: false,
      })
      await expect(client.request({ ...base, providerId: 'ghost', method: 'echo' })).rejects.toMatchObject({
        name: 'NoProviderError',
        code: 'NO_PROVIDER',
        notExecuted: true,
      })
      expect(await kit.redis.exists('refuse:inbox:{svc/ghost}')).toBe(0)
    } finally {
      await client.close()
      await server.stop()
    }
  })
})

describe('a client bounds its calls in flight', () => {
  it("queues beyond maxInFlight, or rejects with OverloadError under overflow: 'reject'", async () => {
    const namespace = 'bound'
    const release = gate()
    let running = 0
    let most = 0
    const server = new TransportServer(kit.redis, { namespace, service: 'svc', providerId: 'p1' })
    server.handle('wait', async (p) => {
      most = Math.max(most, ++running)
      await release.wait
      running--
      return p
    })
    await server.start()
    const queueing = new TransportClient(kit.redis, { namespace, maxInFlight: 3 })
    const refusing = new TransportClient(kit.redis, { namespace, maxInFlight: 1, overflow: 'reject' })
    const base = { service: 'svc', providerId: 'p1', method: 'wait' }
    try {
      const calls = Array.from({ length: 10 }, (_, i) => queueing.request({ ...base, params: i }))
      expect(queueing.inFlight).toBe(3)
      expect(queueing.queued).toBe(7)
      const first = refusing.request({ ...base, params: 'r' })
      await expect(refusing.request({ ...base })).rejects.toBeInstanceOf(OverloadError)
      release.open()
      expect(await Promise.all(calls)).toEqual(Array.from({ length: 10 }, (_, i) => i))
      expect(await first).toBe('r')
      expect(most).toBeLessThanOrEqual(4)
    } finally {
      release.open()
      await queueing.close()
      await refusing.close()
      await server.stop()
    }
  })
})
