import { type RedisGroup, startRedis } from '@org/testkit'
import Redis from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DuplicateProviderError, Registry, UnknownServiceError } from '../src/index.js'
import { FAST } from './helpers.js'

let group: RedisGroup
let redis: Redis
/** Never connected: any command would make it connect, so its status proves nothing was sent. */
let untouched: Redis

beforeAll(async () => {
  group = await startRedis()
  redis = group.instances[0]!.client()
  untouched = new Redis({ host: '127.0.0.1', port: group.instances[0]!.port, lazyConnect: true })
})
afterAll(async () => {
  untouched.disconnect()
  await group.stop()
})

const badNames: [string, unknown][] = [
  ['empty', ''],
  ['too long', 'x'.repeat(201)],
  ['a brace (would break the hash tag)', 'a{b}'],
  ['a space', 'a b'],
  ['a slash', 'a/b'],
  ['non-ASCII', 'café'],
  ['not a string', 42],
]

describe('bad input is refused with a typed error naming the argument, before Redis is touched', () => {
  const registry = () => new Registry(untouched, FAST)

  it.each(badNames)('a service name that is %s', async (_, name) => {
    const r = registry()
    await expect(r.registerService({ name: name as string })).rejects.toThrow(/service\.name/)
    await expect(r.registerProvider(name as string)).rejects.toThrow(/service/)
    await expect(r.getService(name as string)).rejects.toThrow(/service/)
    await expect(r.listProviders(name as string)).rejects.toThrow(/service/)
    expect(() => r.watch(name as string, () => {})).toThrow(/service/)
    expect(untouched.status).toBe('wait')
  })

  it.each(badNames)('a provider id that is %s', async (_, id) => {
    await expect(registry().registerProvider('s', { id: id as string })).rejects.toThrow(/provider\.id/)
    expect(untouched.status).toBe('wait')
  })

  it.each(badNames)('a namespace that is %s', (_, namespace) => {
    expect(() => new Registry(untouched, { namespace: namespace as string })).toThrow(/options\.namespace/)
  })

  it('names of up to 200 characters of [A-Za-z0-9._:-] are accepted', () => {
    expect(() => new Registry(untouched, { namespace: `a.B_9:-${'x'.repeat(193)}` })).not.toThrow()
  })

  it('ttlMs not greater than heartbeatMs', () => {
    expect(() => new Registry(untouched, { heartbeatMs: 1_000, ttlMs: 1_000 })).toThrow(RangeError)
    expect(() => new Registry(untouched, { heartbeatMs: 1_000, ttlMs: 500 })).toThrow(/options\.ttlMs/)
  })

  it.each([0, -1, 1.5, Number.NaN, '100'])('heartbeatMs, ttlMs or resyncMs of %s', (ms) => {
    expect(() => new Registry(untouched, { heartbeatMs: ms as number })).toThrow(/options\.heartbeatMs/)
    expect(() => new Registry(untouched, { ttlMs: ms as number })).toThrow(/options\.ttlMs/)
    expect(() => new Registry(untouched, { resyncMs: ms as number })).toThrow(/options\.resyncMs/)
  })

  it('something that is not an ioredis client', () => {
    expect(() => new Registry({} as Redis)).toThrow(TypeError)
    expect(() => new Registry(null as unknown as Redis)).toThrow(/redis/)
    expect(() => new Registry(untouched, { subscriber: {} as Redis })).toThrow(/options\.subscriber/)
  })

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, '5'])('a weight of %s', async (weight) => {
    const r = registry()
    await expect(r.registerProvider('s', { weight: weight as number })).rejects.toThrow(/provider\.weight/)
    expect(untouched.status).toBe('wait')
  })

  it('metadata that is not a plain JSON object', async () => {
    const circular: Record<string, unknown> = {}
    circular.self = circular
    const r = registry()
    await expect(r.registerProvider('s', { metadata: [] as never })).rejects.toThrow(/provider\.metadata/)
    await expect(r.registerProvider('s', { metadata: 'x' as never })).rejects.toThrow(TypeError)
    await expect(r.registerProvider('s', { metadata: circular })).rejects.toThrow(/JSON/)
    await expect(r.registerService({ name: 's', metadata: null as never })).rejects.toThrow(/service\.metadata/)
    expect(untouched.status).toBe('wait')
  })

  it('service methods that are not names, or a version that is not text', async () => {
    const r = registry()
    await expect(r.registerService({ name: 's', methods: 'm' as never })).rejects.toThrow(/service\.methods/)
    await expect(r.registerService({ name: 's', methods: ['ok', 'not ok'] })).rejects.toThrow(/service\.methods\[1\]/)
    await expect(r.registerService({ name: 's', version: '' })).rejects.toThrow(/service\.version/)
    expect(untouched.status).toBe('wait')
  })

  it('a listener that is not a function', () => {
    expect(() => registry().watch('s', 'nope' as never)).toThrow(/listener/)
  })

  it('an update with a bad weight or metadata', async () => {
    const r = new Registry(redis, { namespace: 'bad-update', ...FAST })
    await r.registerService({ name: 's' })
    const handle = await r.registerProvider('s', { id: 'p', weight: 5 })
    await expect(handle.update({ weight: -5 })).rejects.toThrow(/update\.weight/)
    await expect(handle.update({ metadata: 7 as never })).rejects.toThrow(/update\.metadata/)
    expect(await r.listProviders('s')).toEqual([{ id: 'p', service: 's', weight: 5, metadata: {} }])
    await r.close()
  })
})

describe('a provider needs a registered service and an id no live provider holds', () => {
  it('a provider for a service never registered gets UnknownServiceError and nothing is written', async () => {
    const r = new Registry(redis, { namespace: 'unknown', ...FAST })
    const err = await r.registerProvider('ghost', { id: 'p' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UnknownServiceError)
    expect((err as UnknownServiceError).service).toBe('ghost')
    await expect(r.getService('ghost')).rejects.toBeInstanceOf(UnknownServiceError)
    expect(await redis.keys('unknown:*')).toEqual([])
    await r.close()
  })

  it('an id held by a live provider of another registry gets DuplicateProviderError; the holder is untouched', async () => {
    const holder = new Registry(redis, { namespace: 'dup', ...FAST })
    const intruder = new Registry(redis, { namespace: 'dup', ...FAST })
    await holder.registerService({ name: 's' })
    await holder.registerProvider('s', { id: 'p', weight: 1 })
    const err = await intruder.registerProvider('s', { id: 'p', weight: 2 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DuplicateProviderError)
    expect(err).toMatchObject({ service: 's', id: 'p' })
    expect(await redis.hget('dup:{s}:owners', 'p')).toBe(holder.instanceId)
    expect(await intruder.listProviders('s')).toEqual([{ id: 'p', service: 's', weight: 1, metadata: {} }])
    await holder.close()
    // Once the holder is gone, the id is free again.
    await expect(intruder.registerProvider('s', { id: 'p', weight: 2 })).resolves.toMatchObject({ id: 'p' })
    await intruder.close()
  })

  it('the same id twice in one registry gets DuplicateProviderError, even when both calls race', async () => {
    const r = new Registry(redis, { namespace: 'dup2', ...FAST })
    await r.registerService({ name: 's' })
    const results = await Promise.allSettled([
      r.registerProvider('s', { id: 'p' }),
      r.registerProvider('s', { id: 'p' }),
    ])
    expect(results.map((x) => x.status).sort()).toEqual(['fulfilled', 'rejected'])
    expect((results.find((x) => x.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(
      DuplicateProviderError,
    )
    await r.close()
  })

  it('calls after close() get RegistryClosedError', async () => {
    const r = new Registry(redis, { namespace: 'closed', ...FAST })
    await r.close()
    await expect(r.registerService({ name: 's' })).rejects.toMatchObject({ name: 'RegistryClosedError' })
    expect(() => r.watch('s', () => {})).toThrow(/closed/)
  })
})
