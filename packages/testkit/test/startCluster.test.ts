import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisClusterHandle, startCluster } from '../src/index.js'
import { alive } from './helpers.js'

describe('startCluster', () => {
  let cluster: RedisClusterHandle
  beforeAll(async () => {
    cluster = await startCluster({ masters: 3 })
  })
  afterAll(async () => {
    await cluster?.stop()
  })

  it('joins 3 masters that share all 16384 slots', async () => {
    expect(cluster.nodes).toHaveLength(3)
    const info = (await cluster.nodes[0]!.client().cluster('INFO')) as string
    expect(info).toContain('cluster_state:ok')
    expect(info).toContain('cluster_slots_assigned:16384')
    expect(info).toContain('cluster_size:3')
  })

  it('serves a Cluster client whose keys spread over every master', async () => {
    const client = cluster.client()
    const keys = Array.from({ length: 60 }, (_, i) => `key-${i}`)
    for (const key of keys) await client.set(key, key)
    for (const key of keys) expect(await client.get(key)).toBe(key)
    const perNode = await Promise.all(cluster.nodes.map((n) => n.client().dbsize()))
    expect(perNode.every((n) => n > 0)).toBe(true)
    expect(perNode.reduce((a, b) => a + b, 0)).toBe(keys.length)
  })

  it('stops every node', async () => {
    const extra = await startCluster({ masters: 3, replicas: 1 })
    const pids = extra.nodes.map((n) => n.pid!)
    expect(pids).toHaveLength(6)
    const info = (await extra.nodes[5]!.client().cluster('INFO')) as string
    expect(info).toContain('cluster_known_nodes:6')
    await extra.stop()
    expect(pids.filter(alive)).toEqual([])
  })

  it('rejects fewer than 3 masters', async () => {
    await expect(startCluster({ masters: 2 })).rejects.toThrow(RangeError)
  })
})
