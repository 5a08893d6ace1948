import { useRedis } from '@org/testkit/vitest'
import { describe, expect, it } from 'vitest'
import { Registry, ServiceChangedError } from '../src/index.js'
import { FAST } from './helpers.js'

const kit = useRedis()

describe('services are registered, read back and listed', () => {
  it('getService returns what registerService stored, with defaults filled in', async () => {
    const registry = new Registry(kit.redis, { namespace: 'svc1', ...FAST })
    const stored = await registry.registerService({ name: 'test_service', version: '1.0.0', methods: ['getResource'] })
    expect(stored).toEqual({ name: 'test_service', version: '1.0.0', methods: ['getResource'], metadata: {} })
    expect(await registry.getService('test_service')).toEqual(stored)
    await registry.close()
  })

  it('listServices returns every service, sorted by name, as seen from another registry', async () => {
    const owner = new Registry(kit.redis, { namespace: 'svc2', ...FAST })
    await owner.registerService({ name: 'zeta', metadata: { team: 'z' } })
    await owner.registerService({ name: 'alpha', version: '2.0.0' })
    const reader = new Registry(kit.redis, { namespace: 'svc2', ...FAST })
    const names = (await reader.listServices()).map((s) => [s.name, s.version, s.metadata])
    expect(names).toEqual([
      ['alpha', '2.0.0', {}],
      ['zeta', '0.0.0', { team: 'z' }],
    ])
    await Promise.all([owner.close(), reader.close()])
  })

  it('registering a service again replaces its definition', async () => {
    const registry = new Registry(kit.redis, { namespace: 'svc3', ...FAST })
    await registry.registerService({ name: 's', version: '1.0.0', methods: ['a'] })
    await registry.registerService({ name: 's', version: '1.1.0', methods: ['a', 'b'] })
    expect(await registry.getService('s')).toMatchObject({ version: '1.1.0', methods: ['a', 'b'] })
    expect(await registry.listServices()).toHaveLength(1)
    await registry.close()
  })
})

describe('registerService with replacing: a compare-and-set on the stored definition', () => {
  it('of two registries registering a new service at once, one writes and the other learns what it wrote', async () => {
    const [a, b] = [0, 1].map(() => new Registry(kit.redis, { namespace: 'cas1', ...FAST }))
    const results = await Promise.allSettled([
      a!.registerService({ name: 's', version: '1.0.0' }, { replacing: null }),
      b!.registerService({ name: 's', version: '2.0.0' }, { replacing: null }),
    ])
    const won = results.filter((r) => r.status === 'fulfilled')
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(won).toHaveLength(1)
    expect(lost).toHaveLength(1)
    expect(lost[0]!.reason).toBeInstanceOf(ServiceChangedError)
    const stored = await a!.getService('s')
    expect(lost[0]!.reason).toMatchObject({ code: 'SERVICE_CHANGED', service: 's', stored })
    await Promise.all([a!.close(), b!.close()])
  })

  it('replaces the definition it read, and not one that changed since', async () => {
    const registry = new Registry(kit.redis, { namespace: 'cas2', ...FAST })
    await registry.registerService({ name: 's', version: '1.0.0', metadata: { b: 1, a: 2 } })
    const read = await registry.getService('s')
    await registry.registerService({ name: 's', version: '1.1.0' }, { replacing: read })
    expect(await registry.getService('s')).toMatchObject({ version: '1.1.0' })
    await expect(registry.registerService({ name: 's', version: '1.2.0' }, { replacing: read })).rejects.toMatchObject({
      code: 'SERVICE_CHANGED',
      stored: { version: '1.1.0' },
    })
    await expect(registry.registerService({ name: 's' }, { replacing: 'no' as never })).rejects.toThrow(TypeError)
    await registry.close()
  })
})

describe('providers are registered, listed with their weight and metadata, updated and removed', () => {
  it('listProviders returns the live providers of a service sorted by id, from any registry', async () => {
    const a = new Registry(kit.redis, { namespace: 'prov1', ...FAST })
    const b = new Registry(kit.redis, { namespace: 'prov1', ...FAST })
    await a.registerService({ name: 'test_service' })
    const h2 = await a.registerProvider('test_service', { id: 'test_provider-2', weight: 100, metadata: { zone: 'b' } })
    const h1 = await b.registerProvider('test_service', { id: 'test_provider-1', weight: 50 })
    expect(h1.id).toBe('test_provider-1')
    expect(h2.service).toBe('test_service')
    expect(await a.listProviders('test_service')).toEqual([
      { id: 'test_provider-1', service: 'test_service', weight: 50, metadata: {} },
      { id: 'test_provider-2', service: 'test_service', weight: 100, metadata: { zone: 'b' } },
    ])
    await Promise.all([a.close(), b.close()])
  })

  it('a provider without an id gets a unique one, and weight 100', async () => {
    const registry = new Registry(kit.redis, { namespace: 'prov2', ...FAST })
    await registry.registerService({ name: 's' })
    const [x, y] = await Promise.all([registry.registerProvider('s'), registry.registerProvider('s', {})])
    expect(x!.id).not.toBe(y!.id)
    expect((await registry.listProviders('s')).map((p) => p.weight)).toEqual([100, 100])
    await registry.close()
  })

  it('update changes weight and metadata for every reader', async () => {
    const registry = new Registry(kit.redis, { namespace: 'prov3', ...FAST })
    await registry.registerService({ name: 's' })
    const handle = await registry.registerProvider('s', { id: 'p', weight: 100, metadata: { v: 1 } })
    await handle.update({ weight: 50 })
    await handle.update({ metadata: { v: 2 } })
    expect(handle.info).toEqual({ id: 'p', service: 's', weight: 50, metadata: { v: 2 } })
    expect(await registry.listProviders('s')).toEqual([handle.info])
    await registry.close()
  })

  it('deregister removes the provider and all its entries from Redis', async () => {
    const registry = new Registry(kit.redis, { namespace: 'prov4', ...FAST })
    await registry.registerService({ name: 's' })
    const handle = await registry.registerProvider('s', { id: 'p' })
    await handle.deregister()
    expect(handle.active).toBe(false)
    expect(await registry.listProviders('s')).toEqual([])
    expect(await kit.redis.zcard('prov4:{s}:alive')).toBe(0)
    expect(await kit.redis.hlen('prov4:{s}:providers')).toBe(0)
    expect(await kit.redis.hlen('prov4:{s}:owners')).toBe(0)
    await handle.deregister() // idempotent
    await registry.close()
  })

  it('close deregisters every provider of this registry and leaves the others', async () => {
    const mine = new Registry(kit.redis, { namespace: 'prov5', ...FAST })
    const other = new Registry(kit.redis, { namespace: 'prov5', ...FAST })
    await mine.registerService({ name: 's' })
    await mine.registerProvider('s', { id: 'm1' })
    await mine.registerProvider('s', { id: 'm2' })
    await other.registerProvider('s', { id: 'o1' })
    await mine.close()
    expect((await other.listProviders('s')).map((p) => p.id)).toEqual(['o1'])
    await other.close()
  })

  it('an unknown service has no providers', async () => {
    const registry = new Registry(kit.redis, { namespace: 'prov6', ...FAST })
    expect(await registry.listProviders('nobody')).toEqual([])
    await registry.close()
  })
})

describe('keys in Redis: one hash tag per service, deadlines by the Redis clock', () => {
  it('stores the layout the README shows', async () => {
    const registry = new Registry(kit.redis, { namespace: 'layout', ...FAST })
    await registry.registerService({ name: 'test_service' })
    await registry.registerProvider('test_service', { id: 'p1' })
    const keys = (await kit.redis.keys('layout:*')).sort()
    expect(keys).toEqual([
      'layout:services',
      'layout:{test_service}:alive',
      'layout:{test_service}:owners',
      'layout:{test_service}:providers',
      'layout:{test_service}:service',
    ])
    expect(await kit.redis.type('layout:{test_service}:alive')).toBe('zset')
    expect(await kit.redis.hget('layout:{test_service}:owners', 'p1')).toBe(registry.instanceId)
    await registry.close()
  })

  it("a provider's deadline is the Redis server's time of its last heartbeat plus ttlMs", async () => {
    const registry = new Registry(kit.redis, { namespace: 'clock', ...FAST })
    await registry.registerService({ name: 's' })
    const handle = await registry.registerProvider('s', { id: 'p' })
    const [sec, usec] = await kit.redis.time()
    const redisNow = Number(sec) * 1000 + Math.floor(Number(usec) / 1000)
    await handle.heartbeat()
    const deadline = Number(await kit.redis.zscore('clock:{s}:alive', 'p'))
    const [sec2, usec2] = await kit.redis.time()
    const redisAfter = Number(sec2) * 1000 + Math.floor(Number(usec2) / 1000)
    expect(deadline).toBeGreaterThanOrEqual(redisNow + FAST.ttlMs)
    expect(deadline).toBeLessThanOrEqual(redisAfter + FAST.ttlMs)
    await registry.close()
  })

  it('a provider whose deadline passed by the Redis clock is not listed, and is removed whole', async () => {
    const registry = new Registry(kit.redis, { namespace: 'clock2', ...FAST })
    await registry.registerService({ name: 's' })
    await registry.registerProvider('s', { id: 'p' })
    await registry.registerProvider('s', { id: 'q' })
    // Move p's deadline into the past as Redis sees it, as if its heartbeats had stopped long ago.
    await kit.redis.zadd('clock2:{s}:alive', 1, 'p')
    expect((await registry.listProviders('s')).map((p) => p.id)).toEqual(['q'])
    expect(await kit.redis.hexists('clock2:{s}:providers', 'p')).toBe(0)
    expect(await kit.redis.hexists('clock2:{s}:owners', 'p')).toBe(0)
    await registry.close()
  })
})
