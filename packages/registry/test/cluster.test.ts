import { type RedisClusterHandle, startCluster, waitFor } from '@org/testkit'
import type { Cluster } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Registry, serviceKeys } from '../src/index.js'
import { FAST, recorder } from './helpers.js'

let cluster: RedisClusterHandle
let client: Cluster

beforeAll(async () => {
  cluster = await startCluster({ masters: 3 })
  client = cluster.client()
})
afterAll(async () => {
  await cluster.stop()
})

const services = Array.from({ length: 12 }, (_, i) => `svc-${i}`)

describe('on a Redis Cluster, each service lives in one slot and services spread over the masters', () => {
  it("every key of one service hashes to the same slot, and the services' slots land on all three masters", async () => {
    const slotOf = async (key: string) => Number(await client.cluster('KEYSLOT', key))
    const slots: number[] = []
    for (const name of services) {
      const keys = serviceKeys('redrpc', name)
      const own = await Promise.all([keys.service, keys.alive, keys.providers, keys.owners].map(slotOf))
      expect(new Set(own).size).toBe(1)
      slots.push(own[0]!)
    }
    const ranges = (await client.cluster('SHARDS')) as unknown[]
    expect(ranges).toHaveLength(3)
    const masterOf = (slot: number) => {
      const nodes = client.slots[slot]
      return nodes?.[0]
    }
    expect(new Set(slots.map(masterOf)).size).toBe(3)
  })

  it('register, list, watch, graceful exit and the services index all work across slots', async () => {
    const owner = new Registry(client, FAST)
    const watcher = new Registry(cluster.client(), FAST)
    for (const name of services) await owner.registerService({ name, methods: ['m'] })
    expect((await watcher.listServices()).map((s) => s.name).sort()).toEqual([...services].sort())

    const rec = recorder()
    const watch = watcher.watch('svc-3', rec.listener)
    await watch.ready
    const handles = await Promise.all(
      services.map((name, i) => owner.registerProvider(name, { id: `p-${i}`, weight: i, metadata: { i } })),
    )
    await waitFor(() => rec.ids().join() === 'p-3', { what: 'the watcher to hear its provider' })
    for (const [i, name] of services.entries()) {
      expect(await watcher.listProviders(name)).toEqual([{ id: `p-${i}`, service: name, weight: i, metadata: { i } }])
    }
    await handles[3]!.deregister()
    await waitFor(() => rec.ids().length === 0, { what: 'the watcher to hear the deregistration' })
    expect(rec.heard.at(-1)!.change.removed.map((p) => p.reason)).toEqual(['deregistered'])
    await Promise.all([owner.close(), watcher.close()])
    expect(await watcher.listProviders('svc-0').catch((e: Error) => e.name)).toBe('RegistryClosedError')
  })
})
