import { type RedisGroup, startRedis, waitFor } from '@org/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Registry } from '../src/index.js'
import { FAST, recorder } from './helpers.js'

let group: RedisGroup

beforeAll(async () => {
  group = await startRedis({ persistence: false })
})
afterAll(async () => {
  await group.stop()
})

describe('after Redis restarts empty, everything comes back by itself', () => {
  it('providers re-appear by their next heartbeat, services are re-registered by their owners, watchers follow', async () => {
    const server = group.instances[0]!
    const errors: Error[] = []
    const opts = { namespace: 'heal', ...FAST, onError: (e: Error) => errors.push(e) }
    const owner = new Registry(server.client(), opts)
    const other = new Registry(server.client(), opts)
    const watcher = new Registry(server.client(), opts)
    await owner.registerService({ name: 'test_service', version: '1.0.0', methods: ['getResource'] })
    await owner.registerProvider('test_service', { id: 'p1', weight: 10 })
    await other.registerProvider('test_service', { id: 'p2', metadata: { zone: 'x' } })
    const rec = recorder()
    const watch = watcher.watch('test_service', rec.listener)
    await watch.ready
    expect(rec.ids()).toEqual(['p1', 'p2'])

    // A key nobody rewrites proves the restart forgot everything; the registry's own keys may already be back
    // (heartbeats run every few ms here), so counting keys would race the very healing under test.
    const before = server.client()
    await before.set('heal:sentinel', '1')
    await server.restart()
    const probe = server.client()
    expect(await probe.get('heal:sentinel')).toBe(null)

    const reader = new Registry(probe, opts)
    await waitFor(async () => (await reader.listProviders('test_service')).length === 2, {
      timeoutMs: 15_000,
      what: 'both providers back in Redis',
    })
    expect(await reader.listProviders('test_service')).toEqual([
      { id: 'p1', service: 'test_service', weight: 10, metadata: {} },
      { id: 'p2', service: 'test_service', weight: 100, metadata: { zone: 'x' } },
    ])
    await waitFor(async () => (await reader.listServices()).length === 1, { timeoutMs: 15_000, what: 'the service' })
    expect(await reader.getService('test_service')).toEqual({
      name: 'test_service',
      version: '1.0.0',
      methods: ['getResource'],
      metadata: {},
    })

    // The watcher's subscription is back on the new server: a graceful exit is heard with its reason.
    await waitFor(async () => (await probe.pubsub('NUMSUB', 'heal:{test_service}:events'))[1] === 1, {
      timeoutMs: 15_000,
      what: 'the watcher to subscribe again',
    })
    await waitFor(() => rec.ids().join() === 'p1,p2', { timeoutMs: 15_000, what: 'the watcher to show both' })
    await other.close()
    await waitFor(() => rec.ids().join() === 'p1', { timeoutMs: 15_000, what: 'the watcher to hear p2 leave' })
    expect(rec.heard.at(-1)!.change.removed.map((p) => [p.id, p.reason])).toEqual([['p2', 'deregistered']])
    const states = rec.heard.map((h) => JSON.stringify(h.providers))
    for (let i = 1; i < states.length; i++) expect(states[i]).not.toBe(states[i - 1])

    await Promise.all([owner.close(), watcher.close(), reader.close()])
  })
})

describe('a service owner without providers writes its services back too', () => {
  it('after the data is lost, getService and listServices find the service again', async () => {
    const redis = group.instances[0]!.client()
    const owner = new Registry(redis, { namespace: 'owner-only', ...FAST })
    await owner.registerService({ name: 'lonely', version: '3.0.0' })
    await redis.flushall()
    await expect(owner.getService('lonely')).rejects.toMatchObject({ name: 'UnknownServiceError' })
    await waitFor(async () => (await owner.listServices()).length === 1, { what: 'the service written back' })
    expect(await owner.getService('lonely')).toMatchObject({ name: 'lonely', version: '3.0.0' })
    await owner.close()
  })
})

describe('one registry heartbeats many providers of many services together, each with its own outcome', () => {
  it('after the data is lost, every provider of every service is restored, and a taken id is given up', async () => {
    const redis = group.instances[0]!.client()
    const errors: Error[] = []
    const opts = { namespace: 'many', ...FAST }
    const registry = new Registry(redis, { ...opts, onError: (e) => errors.push(e) })
    await registry.registerService({ name: 'big' })
    await registry.registerService({ name: 'small' })
    // More than one script call's worth (500 ids) in one service, and a second service.
    await Promise.all(Array.from({ length: 620 }, (_, i) => registry.registerProvider('big', { id: `b${i}` })))
    await registry.registerProvider('small', { id: 's1', weight: 3 })
    const taken = await registry.registerProvider('small', { id: 's2' })

    // Data lost, and in the same instant s2 taken by another registry (so no heartbeat can slip in between).
    const [sec] = await redis.time()
    const s2 = JSON.stringify({ id: 's2', service: 'small', weight: 9, metadata: {} })
    await redis
      .multi()
      .flushall()
      .zadd('many:{small}:alive', Number(sec) * 1000 + 60_000, 's2')
      .hset('many:{small}:providers', 's2', s2)
      .hset('many:{small}:owners', 's2', 'another-registry')
      .exec()
    const other = new Registry(redis, opts)

    await waitFor(async () => (await other.listProviders('big')).length === 620, {
      timeoutMs: 15_000,
      what: 'all 620 providers restored',
    })
    await waitFor(async () => (await other.listProviders('small')).length === 2, { what: 's1 restored' })
    expect((await other.listProviders('small')).map((p) => [p.id, p.weight])).toEqual([
      ['s1', 3],
      ['s2', 9],
    ])
    await waitFor(() => !taken.active, { what: 'the taken handle to give up' })
    expect(errors.map((e) => e.name)).toContain('ProviderLostError')
    await Promise.all([registry.close(), other.close()])
  })
})
