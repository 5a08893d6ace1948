import { type RedisGroup, startRedis, waitFor } from '@org/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ConnectionLostEvent, type ConnectionRecoveredEvent, type Logger, RedRpc } from '../src/index.js'

let group: RedisGroup
beforeAll(async () => {
  group = await startRedis({ count: 1 })
})
afterAll(async () => {
  await group?.stop()
})

/** A logger that keeps what it was given. */
function capture() {
  const entries: { level: string; message: string; fields: Record<string, unknown> }[] = []
  const at = (level: string) => (fields: Record<string, unknown>, message: string) =>
    entries.push({ level, message, fields })
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
  return { logger, count: (message: string) => entries.filter((e) => e.message === message).length, entries }
}

describe('a Redis killed mid-run: the loss and the recovery are events and log lines, once each, at once', () => {
  it('connectionLost as soon as the server dies, however many reconnects fail; connectionRecovered when it is back', async () => {
    const instance = group.instances[0] as RedisGroup['instances'][number]
    const client = instance.client()
    const { logger, count, entries } = capture()
    const redRpc = new RedRpc(null, [client], { namespace: 'conn', logger, closeTimeoutMs: 2_000 })
    const lost: ConnectionLostEvent[] = []
    const recovered: ConnectionRecoveredEvent[] = []
    redRpc.on('connectionLost', (e) => lost.push(e))
    redRpc.on('connectionRecovered', (e) => recovered.push(e))
    try {
      await redRpc.registerService('conn_service', { ping: () => 'pong' })
      await redRpc.registerProvider('conn_service', { count: 1 })
      const api = redRpc.getInstance('conn_service')
      expect(await api.callApi('ping')).toBe('pong')
      let refused = 0
      client.on('error', () => refused++)

      await instance.kill()
      // Promptly: from the client's own close/error events, not when a call times out (10 s by default).
      await waitFor(() => lost.length === 1, { timeoutMs: 2_000, what: 'connectionLost within 2 s of the kill' })
      // ioredis keeps reconnecting and failing; each failure is the same loss.
      await waitFor(() => refused >= 3, { timeoutMs: 10_000, what: 'three refused reconnects' })
      expect(lost).toHaveLength(1)
      expect(lost[0]).toMatchObject({ redis: `${instance.host}:${instance.port}` })
      expect(['closed', 'refused']).toContain(lost[0]?.reason)
      expect(lost[0]?.error).toBeInstanceOf(Error)
      expect(count('Redis connection lost')).toBe(1)
      expect(entries.find((e) => e.message === 'Redis connection lost')).toMatchObject({
        level: 'warn',
        fields: { name: 'redrpc:connection', redis: `${instance.host}:${instance.port}` },
      })
      expect(recovered).toEqual([])
      // Calls meanwhile fail at once, naming the latest cause: the refused reconnects, not the first close.
      await expect(api.callApi('ping')).rejects.toMatchObject({ name: 'RedisUnavailableError', reason: 'refused' })

      await instance.restart()
      await waitFor(() => recovered.length === 1, { timeoutMs: 15_000, what: 'connectionRecovered' })
      expect(recovered[0]?.redis).toBe(`${instance.host}:${instance.port}`)
      expect(recovered[0]?.downMs).toBeGreaterThan(0)
      expect(count('Redis connection recovered')).toBe(1)
      expect(lost).toHaveLength(1)
      // The restarted server lost the registry (no persistence); the provider writes itself back and calls go on.
      await waitFor(
        async () => (await api.callApi('ping', undefined, { timeoutMs: 1_000 }).catch(() => undefined)) === 'pong',
        { timeoutMs: 15_000, what: 'calls to work again' },
      )
      expect(count('Redis connection lost')).toBe(1)
    } finally {
      await redRpc.close().catch(() => {})
    }
  }, 60_000)

  it('a second loss is a second pair of events', async () => {
    const instance = group.instances[0] as RedisGroup['instances'][number]
    const client = instance.client()
    const redRpc = new RedRpc(null, [client], { namespace: 'conn2', closeTimeoutMs: 2_000 })
    const seen: string[] = []
    redRpc.on('connectionLost', () => seen.push('lost'))
    redRpc.on('connectionRecovered', () => seen.push('recovered'))
    try {
      await redRpc.waitForServices([])
      await waitFor(() => client.status === 'ready', { timeoutMs: 5_000, what: 'the client to connect' })
      for (let i = 0; i < 2; i++) {
        await instance.kill()
        await waitFor(() => seen.length === 2 * i + 1, { timeoutMs: 2_000, what: `loss ${i + 1}` })
        await instance.restart()
        await waitFor(() => seen.length === 2 * i + 2, { timeoutMs: 15_000, what: `recovery ${i + 1}` })
      }
      expect(seen).toEqual(['lost', 'recovered', 'lost', 'recovered'])
    } finally {
      await redRpc.close().catch(() => {})
    }
  }, 60_000)
})
