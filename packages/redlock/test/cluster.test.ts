import { type RedisClusterHandle, startCluster, waitFor } from '@org/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Redlock, ResourceLockedError } from '../src/index.js'
import { fresh, hold, holderOf } from './helpers.js'

describe('a Redis Cluster works as an instance, multi-resource locks included', () => {
  let cluster: RedisClusterHandle
  const redlocks: Redlock[] = []
  const make = (options = {}) => {
    const r = new Redlock([cluster.client()], options)
    redlocks.push(r)
    return r
  }

  beforeAll(async () => {
    cluster = await startCluster({ masters: 3 })
  })
  afterAll(async () => {
    await Promise.all(redlocks.map((r) => r.quit()))
    await cluster?.stop()
  })

  it('locks resources that live in different slots all together, and releases them', async () => {
    const resources = [fresh('c1'), fresh('c2'), fresh('c3'), fresh('c4')]
    const lock = await make().acquire(resources, 10_000)
    const inspect = cluster.client()
    for (const r of resources) expect(await inspect.get(`redlock:{${r}}`)).toBe(lock.value)
    await lock.extend(20_000)
    expect(await inspect.pttl(`redlock:{${resources[0]}}`)).toBeGreaterThan(10_000)
    expect((await lock.release()).held).toBe(true)
    for (const r of resources) expect(await inspect.exists(`redlock:{${r}}`)).toBe(0)
  })

  it('is all or nothing when one resource is held elsewhere', async () => {
    const [a, b, c] = [fresh('ca'), fresh('cb'), fresh('cc')]
    const holder = await make().acquire(b, 10_000)
    const err = await make({ retryCount: 0 })
      .acquire([a, b, c], 10_000)
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ResourceLockedError)
    const inspect = cluster.client()
    await waitFor(
      async () => (await inspect.exists(`redlock:{${a}}`)) + (await inspect.exists(`redlock:{${c}}`)) === 0,
      {
        what: 'the partial lock undone',
      },
    )
    expect(holderOf(await inspect.get(`redlock:{${b}}`))).toBe(holder.value)
    await holder.release()
  })

  it('keeps mutual exclusion and increasing tokens between Redlocks, with wake-up on release', async () => {
    const resource = fresh('cmutex')
    const pair = [make({ retryDelay: 2_000 }), make({ retryDelay: 2_000 })]
    let inside = 0
    let overlaps = 0
    const tokens: bigint[] = []
    await Promise.all(
      Array.from({ length: 6 }, async (_, w) => {
        for (let i = 0; i < 4; i++) {
          await pair[w % 2]!.using(resource, 5_000, { retryCount: -1, timeout: 20_000 }, async (_signal, lock) => {
            inside++
            if (inside > 1) overlaps++
            tokens.push(lock.fencingToken)
            await hold(2)
            inside--
          })
        }
      }),
    )
    expect(overlaps).toBe(0)
    expect(tokens).toHaveLength(24)
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]! > tokens[i - 1]!).toBe(true)
  })
})
