import { type RedisClusterHandle, startCluster } from '@org/testkit'
import fc from 'fast-check'
import type { Cluster, Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defineScript, hashTag, keyPart, keySlot, runScript } from '../src/index.js'
import { pushSource, scriptCommands } from './helpers.js'

let cluster: RedisClusterHandle
let client: Cluster

beforeAll(async () => {
  cluster = await startCluster({ masters: 3 })
  client = cluster.client()
  await client.set('warm', '1')
})

afterAll(async () => {
  await cluster?.stop()
})

/** One key per master, found through the client's slot map. */
function keyPerNode(c: Cluster): Map<string, string> {
  const found = new Map<string, string>()
  for (let i = 0; found.size < 3 && i < 1000; i++) {
    const key = `k${i}`
    const node = c.slots[keySlot(key)]?.[0]
    if (node && !found.has(node)) found.set(node, key)
  }
  return found
}

async function perNode(): Promise<{ eval: number; evalsha: number }[]> {
  return Promise.all(cluster.nodes.slice(0, 3).map((n) => scriptCommands(n.client() as Redis)))
}

describe('on a Cluster a script goes in full once per node connection', () => {
  it('sends EVAL to each node on first use there, then EVALSHA, each call routed by its key', async () => {
    const push = defineScript({ name: 'push', numberOfKeys: 1, source: pushSource() })
    const keys = [...keyPerNode(client).values()]
    expect(keys).toHaveLength(3)
    const before = await perNode()
    for (let round = 0; round < 3; round++) {
      for (const key of keys) await runScript(client, push, [key], [String(round)])
    }
    const after = await perNode()
    for (let i = 0; i < 3; i++) {
      expect(after[i]!.eval - before[i]!.eval).toBe(1)
      expect(after[i]!.evalsha - before[i]!.evalsha).toBe(2)
    }
    for (const key of keys) expect(await client.lrange(key, 0, -1)).toEqual(['0', '1', '2'])
  })

  it('keeps the order of each node connection on first use', async () => {
    const push = defineScript({ name: 'push', numberOfKeys: 1, source: pushSource() })
    const key = '{order}list'
    await Promise.all([
      runScript(client, push, [key], ['a']),
      client.rpush(key, 'b'),
      runScript(client, push, [key], ['c']),
    ])
    expect(await client.lrange(key, 0, -1)).toEqual(['a', 'b', 'c'])
  })

  it('recovers from NOSCRIPT after every node flushed its scripts', async () => {
    const push = defineScript({ name: 'push', numberOfKeys: 1, source: pushSource() })
    await runScript(client, push, ['{flush}l'], ['a'])
    await Promise.all(cluster.nodes.map((n) => n.client().script('FLUSH')))
    expect(await runScript(client, push, ['{flush}l'], ['b'])).toBe(2)
  })

  it('routes by key with auto-pipelining, where ioredis would route EVALSHA by the SHA', async () => {
    const piped = cluster.client({ enableAutoPipelining: true })
    const push = defineScript({ name: 'push', numberOfKeys: 1, source: pushSource() })
    const keys = [...keyPerNode(piped.slots.length > 0 ? piped : client).values()]
    for (let round = 0; round < 2; round++) {
      await Promise.all(keys.map((key) => runScript(piped, push, [key], [`p${round}`])))
    }
    for (const key of keys) expect((await client.lrange(key, 0, -1)).slice(-2)).toEqual(['p0', 'p1'])
  })
})

describe('the hash tag is what Redis hashes', () => {
  it('a key built with hashTag() is in the slot of its tag, for arbitrary names (CLUSTER KEYSLOT)', async () => {
    const name = fc.string({
      minLength: 1,
      maxLength: 12,
      unit: fc.constantFrom('a', ':', '{', '}', '/', '%', 'é', '\uD83D', '\uDE00'),
    })
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 8 }),
        fc.array(name, { minLength: 1, maxLength: 3 }),
        async (ns, parts) => {
          const tag = hashTag(...parts)
          const key = `${keyPart(ns)}:inbox:${tag}:x`
          const [ofKey, ofTag] = await Promise.all([
            client.cluster('KEYSLOT', key) as Promise<number>,
            client.cluster('KEYSLOT', tag.slice(1, -1)) as Promise<number>,
          ])
          expect(ofKey).toBe(ofTag)
          expect(keySlot(key)).toBe(ofKey)
        },
      ),
      { numRuns: 150 },
    )
  })
})
