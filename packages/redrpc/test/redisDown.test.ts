import { startRedis, waitFor } from '@org/testkit'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { CloseTimeoutError, RedisUnavailableError, RedRpc } from '../src/index.js'

const clients: Redis[] = []
/** A client the test owns; ioredis' own error events are expected here (the server is gone). */
function client(port: number): Redis {
  const redis = new Redis(port)
  redis.on('error', () => {})
  clients.push(redis)
  return redis
}
afterAll(() => {
  for (const c of clients) c.disconnect()
})

/** How long `run` takes to settle, and how it settled. */
async function timed(run: () => Promise<unknown>): Promise<{ ms: number; error: unknown; value: unknown }> {
  const started = performance.now()
  try {
    const value = await run()
    return { ms: performance.now() - started, error: undefined, value }
  } catch (error) {
    return { ms: performance.now() - started, error, value: undefined }
  }
}

describe('with its Redis unreachable, RedRpc fails at once with a typed error naming it', () => {
  it('registerService, registerProvider, callApi and waitForServices reject with RedisUnavailableError (refused)', async () => {
    const group = await startRedis({ count: 1 })
    const port = group.instances[0]?.port as number
    await group.stop() // nothing listens on that port any more
    const redRpc = new RedRpc(null, [client(port)], { connectTimeoutMs: 3_000, closeTimeoutMs: 1_000 })
    const register = await timed(() => redRpc.registerService('down_service', { ping: () => 'pong' }))
    expect(register.error).toBeInstanceOf(RedisUnavailableError)
    expect(register.error).toMatchObject({ reason: 'refused', redis: `localhost:${port}`, notExecuted: true })
    expect((register.error as Error).message).toMatch(
      new RegExp(`Redis localhost:${port} is unavailable: connection refused`),
    )
    expect(register.ms).toBeLessThan(2_000)
    const call = await timed(() => redRpc.getInstance('down_service').callApi('ping'))
    expect(call.error).toBeInstanceOf(RedisUnavailableError)
    expect(call.ms).toBeLessThan(2_000)
    await expect(redRpc.waitForServices(['down_service'])).rejects.toBeInstanceOf(RedisUnavailableError)
    const close = await timed(() => redRpc.close())
    expect(close.ms).toBeLessThan(1_500)
  })
})

describe('with its Redis killed mid-run, calls fail fast and close() settles within closeTimeoutMs', () => {
  it('calls reject with RedisUnavailableError, not after their timeout; close() settles in bound', async () => {
    const group = await startRedis({ count: 1 })
    const instance = group.instances[0] as (typeof group.instances)[0]
    try {
      const options = { closeTimeoutMs: 1_500, call: { timeoutMs: 5_000 } }
      const provider = new RedRpc(null, [client(instance.port)], options)
      await provider.registerService('mid_run', { ping: () => 'pong' })
      await provider.registerProvider('mr', { count: 2 })
      const caller = new RedRpc(null, [client(instance.port)], options)
      const api = caller.getInstance('mid_run')
      expect(await api.callApi('ping')).toBe('pong')
      await instance.kill()
      // Within a bounded time, a call fails at once and names the Redis (ECONNREFUSED on the reconnect).
      let last: unknown
      await waitFor(
        async () => {
          const outcome = await timed(() => api.callApi('ping', undefined, { timeoutMs: 1_000 }))
          last = outcome.error
          return outcome.error instanceof RedisUnavailableError && outcome.ms < 100
        },
        { timeoutMs: 10_000, what: 'a call to fail fast with RedisUnavailableError' },
      )
      expect(last).toMatchObject({ redis: `localhost:${instance.port}`, notExecuted: true })
      for (const redRpc of [caller, provider]) {
        const close = await timed(() => redRpc.close())
        expect(close.ms).toBeLessThan(2_500)
        if (close.error !== undefined) {
          expect(close.error).toBeInstanceOf(CloseTimeoutError)
          expect((close.error as CloseTimeoutError).pending.length).toBeGreaterThan(0)
        }
      }
    } finally {
      await group.stop()
    }
  })
})
