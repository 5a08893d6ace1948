import { freePort, startRedis, waitFor } from '@org/testkit'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { RedisUnavailableError, TransportClient, TransportServer } from '../src/index.js'
import { outcome } from './helpers/gate.js'

const clients: Redis[] = []
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect()
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

function clientOf(port: number): Redis {
  const redis = new Redis({ host: '127.0.0.1', port })
  redis.on('error', () => {})
  clients.push(redis)
  return redis
}

/** How long `p` takes to settle, in ms. */
async function timed<T>(p: Promise<T>): Promise<{ ms: number; result: Awaited<ReturnType<typeof outcome<T>>> }> {
  const at = performance.now()
  const result = await outcome(p)
  return { ms: performance.now() - at, result }
}

const call = { service: 'svc', providerId: 'p1', method: 'echo' }

describe('with Redis unreachable, calls fail fast with a typed error naming the Redis and the cause', () => {
  it('nothing listens on the port: calls and start() fail at once with reason refused; close() settles', async () => {
    const port = await freePort()
    const client = new TransportClient(clientOf(port), { timeoutMs: 10_000 })
    const first = await timed(client.request({ ...call, params: 1 }))
    expect(first.ms).toBeLessThan(1_000)
    expect(first.result.ok).toBe(false)
    const error = (first.result as { error: Error }).error
    expect(error).toBeInstanceOf(RedisUnavailableError)
    expect(error).toMatchObject({
      code: 'REDIS_UNAVAILABLE',
      reason: 'refused',
      address: `127.0.0.1:${port}`,
      notExecuted: true,
    })
    expect(error.message).toMatch(
      new RegExp(`svc.echo on p1: Redis at 127.0.0.1:${port} is unreachable: connection refused`),
    )
    const server = new TransportServer(clientOf(port), { service: 'svc', providerId: 'p1' })
    const start = await timed(server.start())
    expect(start.ms).toBeLessThan(1_000)
    expect((start.result as { error: Error }).error).toMatchObject({ code: 'REDIS_UNAVAILABLE', reason: 'refused' })
    expect((await timed(client.close())).ms).toBeLessThan(1_000)
    expect((await timed(server.stop())).ms).toBeLessThan(1_000)
  })

  it('Redis does not answer (paused): the first call fails after connectTimeoutMs with reason timeout', async () => {
    const group = await startRedis()
    cleanups.push(() => group.stop())
    const instance = group.instances[0]!
    instance.pause()
    cleanups.unshift(async () => instance.resume())
    const client = new TransportClient(clientOf(instance.port), { timeoutMs: 10_000, connectTimeoutMs: 500 })
    const first = await timed(client.request({ ...call }))
    expect(first.ms).toBeGreaterThanOrEqual(450)
    expect(first.ms).toBeLessThan(2_000)
    expect((first.result as { error: Error }).error).toMatchObject({
      code: 'REDIS_UNAVAILABLE',
      reason: 'timeout',
      notExecuted: true,
    })
    expect((await timed(client.close())).ms).toBeLessThan(1_000)
  })

  it('Redis killed mid-run: calls out fail within connectTimeoutMs, new ones at once; close() and stop() settle', async () => {
    const group = await startRedis()
    cleanups.push(() => group.stop())
    const instance = group.instances[0]!
    const options = { connectTimeoutMs: 1_000, closeTimeoutMs: 1_000 }
    const server = new TransportServer(clientOf(instance.port), { service: 'svc', providerId: 'p1', ...options })
    server.handle('echo', (p) => p)
    server.handle('slow', () => new Promise((r) => setTimeout(() => r('late'), 3_000)))
    await server.start()
    const client = new TransportClient(clientOf(instance.port), { timeoutMs: 20_000, ...options })
    expect(await client.request({ ...call, params: 1 })).toBe(1)
    const out = timed(client.request({ ...call, method: 'slow' }))
    await waitFor(() => server.running === 1, { what: 'the slow handler to run' })
    await instance.kill()
    const lost = await out
    expect(lost.ms).toBeLessThan(3_000)
    expect((lost.result as { error: Error }).error).toMatchObject({ code: 'REDIS_UNAVAILABLE', notExecuted: false })
    const fresh = await timed(client.request({ ...call, params: 2 }))
    expect(fresh.ms).toBeLessThan(200)
    expect((fresh.result as { error: Error }).error).toMatchObject({
      code: 'REDIS_UNAVAILABLE',
      reason: 'refused',
      notExecuted: true,
    })
    expect((await timed(client.close())).ms).toBeLessThan(1_500)
    expect((await timed(server.stop({ drain: false }))).ms).toBeLessThan(2_500)
  })

  it('a client made with lazyConnect still works: its connections connect by themselves', async () => {
    const group = await startRedis()
    cleanups.push(() => group.stop())
    const port = group.instances[0]!.port
    const lazy = (): Redis => {
      const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true })
      clients.push(redis)
      return redis
    }
    const server = new TransportServer(lazy(), { service: 'svc', providerId: 'p1', connectTimeoutMs: 1_000 })
    server.handle('echo', (p) => p)
    await server.start()
    const client = new TransportClient(lazy(), { connectTimeoutMs: 1_000 })
    try {
      expect(await client.request({ ...call, params: 7 })).toBe(7)
    } finally {
      await client.close()
      await server.stop()
    }
  })
})
