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

    await server.restart()
    const probe = server.client()
    expect(await probe.dbsize()).toBe(0)

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
