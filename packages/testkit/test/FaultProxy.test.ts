import { Redis, type RedisOptions } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { FaultProxy, type RedisGroup, startRedis, waitFor } from '../src/index.js'

describe('FaultProxy: network faults between a client and a real Redis', () => {
  let group: RedisGroup
  let proxy: FaultProxy
  const clients: Redis[] = []

  function clientThroughProxy(options: RedisOptions = {}): Redis {
    const client = new Redis({ host: proxy.host, port: proxy.port, ...options })
    client.on('error', () => {})
    clients.push(client)
    return client
  }

  beforeAll(async () => {
    group = await startRedis()
  })
  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect()
    await proxy?.close()
  })
  afterAll(async () => {
    await group?.stop()
  })

  async function startProxy(): Promise<void> {
    const target = group.instances[0]!
    proxy = await FaultProxy.start({ target: { host: target.host, port: target.port } })
  }

  it('forwards commands and replies untouched', async () => {
    await startProxy()
    const client = clientThroughProxy()
    await client.set('through', 'proxy')
    expect(await group.instances[0]!.client().get('through')).toBe('proxy')
    expect(await client.get('through')).toBe('proxy')
    expect(proxy.connections).toBe(1)
  })

  it('adds latency to every round trip and keeps the order of replies while it changes', async () => {
    await startProxy()
    const client = clientThroughProxy()
    await client.del('n')
    proxy.setLatency(30)
    const started = performance.now()
    await client.ping()
    expect(performance.now() - started).toBeGreaterThanOrEqual(59) // 30 ms each way
    const replies: Promise<number>[] = []
    for (let i = 0; i < 60; i++) {
      replies.push(client.incr('n'))
      if (i % 10 === 0) proxy.setLatency(i % 20 === 0 ? 0 : 15)
    }
    expect(await Promise.all(replies)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1))
  })

  it('stall() holds the bytes with the connection open, resume() delivers them in order', async () => {
    await startProxy()
    const client = clientThroughProxy()
    await client.del('stalled')
    proxy.stall()
    const writes = [client.set('stalled', 'first'), client.append('stalled', '+second')]
    const direct = group.instances[0]!.client()
    // Nothing reached Redis: the bytes are held, and the connection is still there.
    expect(await direct.get('stalled')).toBe(null)
    expect(proxy.connections).toBe(1)
    proxy.resume()
    expect(await Promise.all(writes)).toEqual(['OK', 12])
    expect(await direct.get('stalled')).toBe('first+second')
  })

  it('cut() drops every open connection, and the client reconnects through the proxy', async () => {
    await startProxy()
    const client = clientThroughProxy()
    await client.ping()
    let closed = 0
    client.on('close', () => closed++)
    proxy.cut()
    await waitFor(() => closed > 0, { what: 'the client to see its connection cut' })
    expect(await client.ping()).toBe('PONG')
    await waitFor(() => proxy.connections === 1, { what: 'the reconnection' })
  })

  it('refuse() resets new connections until it is lifted', async () => {
    await startProxy()
    proxy.refuse()
    const client = clientThroughProxy({ maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true })
    await expect(client.connect()).rejects.toThrow()
    proxy.refuse(false)
    const again = clientThroughProxy()
    expect(await again.ping()).toBe('PONG')
  })

  it('rejects a bad latency', async () => {
    await startProxy()
    expect(() => proxy.setLatency(-1)).toThrow(RangeError)
    expect(() => proxy.setLatency(Number.NaN)).toThrow(RangeError)
  })
})
