import { describe, expect, it } from 'vitest'
import { type Redlock, redlockKeys } from '../src/index.js'
import { fresh, onEvery, useRedis } from './helpers.js'

describe('fencing tokens are strictly increasing while a quorum keeps its data', () => {
  const redis = useRedis(3, true)

  it('over 1,000 acquisitions by several Redlocks, with every instance restarted in between', async () => {
    const resources = [fresh('fence-a'), fresh('fence-b')]
    const last = new Map<string, bigint>()
    let count = 0
    for (let batch = 0; batch < 20; batch++) {
      // A new Redlock knows no token yet, so it must learn the current one from the instances.
      const redlocks: Redlock[] = [redis.redlock({ requestTimeout: 500 }), redis.redlock({ requestTimeout: 500 })]
      for (let i = 0; i < 50; i++) {
        // Alternate single and multi-resource locks: a token must beat every earlier one of any of its resources.
        const which = i % 3 === 2 ? resources : [resources[i % 2]!]
        const lock = await redlocks[i % 2]!.acquire(which, 5_000, { retryCount: -1, retryDelay: 20, timeout: 20_000 })
        for (const r of which) {
          expect(lock.fencingToken > (last.get(r) ?? 0n)).toBe(true)
          last.set(r, lock.fencingToken)
        }
        count++
        await lock.release()
      }
      await Promise.all(redlocks.map((r) => r.quit()))
      await redis.group.instances[batch % 3]!.restart()
    }
    expect(count).toBe(1_000)
  })

  it('stays increasing when the Redlocks that issued the last tokens are gone and a majority restarts', async () => {
    const resource = fresh('fence-restart')
    const first = await redis.redlock().acquire(resource, 5_000)
    await first.release()
    await redis.group.instances[0]!.restart()
    await redis.group.instances[1]!.restart()
    const second = await redis
      .redlock({ requestTimeout: 2_000 })
      .acquire(resource, 5_000, { retryCount: -1, timeout: 20_000 })
    expect(second.fencingToken > first.fencingToken).toBe(true)
    await second.release()
  })
})

describe('a fencing token is recorded on a quorum before the lock is handed out', () => {
  const redis = useRedis(3)

  it('a quorum of counters holds at least the token, also when one instance saw a higher counter', async () => {
    const resource = fresh('recorded')
    const [first] = redis.inspect()
    // One instance alone saw a higher counter (say, from an acquire that failed there): tokens must still grow.
    await first!.set(redlockKeys(resource).fence, '41')
    for (let i = 0; i < 3; i++) {
      const lock = await redis.redlock().acquire(resource, 5_000)
      const counters = await Promise.all(redis.inspect().map((c) => c.get(redlockKeys(resource).fence)))
      const recorded = counters.filter((c) => c !== null && BigInt(c) >= lock.fencingToken)
      expect(recorded.length).toBeGreaterThanOrEqual(2)
      await lock.release()
    }
  })

  it('takes a second round when no quorum of counters agrees, and the token still beats every counter', async () => {
    const resource = fresh('disagree')
    const instances = redis.inspect()
    await Promise.all(instances.map((c, i) => c.set(redlockKeys(resource).fence, String(5 + 2 * i))))
    const lock = await redis.redlock().acquire(resource, 5_000)
    // 5, 7, 9 became 6, 8, 10: no two agree, so a quorum is raised to the highest.
    expect(lock.fencingToken).toBe(10n)
    const counters = await Promise.all(instances.map((c) => c.get(redlockKeys(resource).fence)))
    expect(counters.filter((c) => c !== null && BigInt(c) >= 10n).length).toBeGreaterThanOrEqual(2)
    await lock.release()
    const next = await redis.redlock().acquire(resource, 5_000)
    expect(next.fencingToken).toBeGreaterThan(10n)
    await next.release()
  })
})

describe('fencing counters stay bounded however many resources are locked', () => {
  const redis = useRedis(3)

  it('resources of one Cluster slot share one counter: many distinct resources leave one key, tokens still grow', async () => {
    const redlock = redis.redlock()
    // '{shared' is the hash tag of every one of these lock keys, so they all fall in one slot.
    const resources = Array.from({ length: 200 }, (_, i) => `{shared-${process.pid}}-${i}`)
    let last = 0n
    for (const resource of resources) {
      const lock = await redlock.acquire(resource, 5_000)
      expect(lock.fencingToken > last).toBe(true)
      last = lock.fencingToken
      await lock.release()
    }
    const fence = redlockKeys(resources[0]!).fence
    const clients = redis.inspect()
    await onEvery(clients, async (c) => (await c.keys('redlock:*')).join() === fence, 'only the fencing counter left')
    for (const c of clients) c.disconnect()
  })

  it('a counter sits in the same Cluster slot as the lock key it serves', async () => {
    const { default: slotOf } = await import('cluster-key-slot')
    for (let i = 0; i < 2_000; i++) {
      const resource = fresh(`slot-${i}`)
      expect(slotOf(redlockKeys(resource).fence)).toBe(slotOf(`redlock:{${resource}}`))
    }
  })
})
