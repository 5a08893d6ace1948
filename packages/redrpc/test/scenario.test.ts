import { Redlock } from '@org/redlock'
import { type RedisGroup, startRedis } from '@org/testkit'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RedRpc } from '../src/index.js'

let group: RedisGroup
beforeAll(async () => {
  group = await startRedis({ count: 3 })
})
afterAll(async () => {
  await group?.stop()
})

const store: Record<string, { name: string; value: number }> = {}
const read = (name: string) => store[name] ?? { name, value: 0 }

describe("the user's scenario runs as the issue writes it", () => {
  it('registers, balances, runs a lock-protected method with a fencing token, pings, and closes', async () => {
    const [p1, p2, p3] = group.instances.map((i) => i.port) as [number, number, number]
    // The scenario, with the kit's ports in place of 6379-6381.
    const resources = { Resource_A: { ttl: 10_000 }, Resource_B: { ttl: 10_000 }, Resource_C: { ttl: 10_000 } }
    const clients = [new Redis(p1), new Redis(p2), new Redis(p3)]
    const rlock = new Redlock(clients, { resources })
    const rpcClient = new Redis(p1)
    const redRpc = new RedRpc(rlock, [rpcClient])

    await redRpc.registerService('test_service', {
      getResource: {
        lock: (p) => [p.name],
        handler: async (p, ctx) => ({ ...read(p.name), token: ctx.lock.fencingToken }),
      },
      ping: async () => 'pong',
    })
    await redRpc.registerProvider('test_provider', { count: 3 })
    redRpc.registerLbPolicy('RoundRobin')
    const service = redRpc.getInstance('test_service')
    const r = await service.callApi('getResource', { name: 'Resource_A' })
    const p = await service.callApi('ping')

    expect(r).toMatchObject({ name: 'Resource_A', value: 0 })
    expect(typeof (r as { token: unknown }).token).toBe('bigint')
    expect(p).toBe('pong')
    expect(await service.api.ping()).toBe('pong')
    const second = (await service.callApi('getResource', { name: 'Resource_A' })) as { token: bigint }
    expect(second.token).toBeGreaterThan((r as { token: bigint }).token)
    expect(redRpc.localProviders).toEqual(['test_provider-1', 'test_provider-2', 'test_provider-3'])

    await redRpc.close()
    await expect(service.callApi('ping')).rejects.toMatchObject({ name: 'ClosedError' })
    for (const c of [...clients, rpcClient]) c.disconnect()
  })
})
