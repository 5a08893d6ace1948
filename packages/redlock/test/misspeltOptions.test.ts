import { describe, expect, it } from 'vitest'
import { Redlock } from '../src/index.js'
import { fresh, useRedis } from './helpers.js'

describe('a misspelt option is refused with a TypeError naming it, never ignored', () => {
  const redis = useRedis(3)

  it('constructor options and a resource’s defaults', () => {
    const clients = redis.inspect()
    expect(() => new Redlock(clients, { retryCont: 3 } as never)).toThrow(
      new TypeError(
        "options has no option 'retryCont'; known: driftFactor, retryCount, retryDelay, retryJitter, " +
          'automaticExtensionThreshold, keyPrefix, ttl, requestTimeout, resources, fairness',
      ),
    )
    expect(() => new Redlock(clients, { resources: { A: { ttL: 5 } } } as never)).toThrow(
      /resources.A has no option 'ttL'/,
    )
  })

  it('acquire and using options: rejected before anything is sent, nothing is left in Redis', async () => {
    const redlock = redis.redlock()
    const name = fresh('misspelt')
    await expect(redlock.acquire(name, 1_000, { timeOut: 10 } as never)).rejects.toThrow(
      /options has no option 'timeOut'/,
    )
    await expect(redlock.using(name, 1_000, { maxHold: 10 } as never, async () => 1)).rejects.toThrow(
      /options has no option 'maxHold'/,
    )
    // using's own options are known to using.
    expect(await redlock.using(name, 1_000, { maxHoldMs: 5_000 }, async () => 2)).toBe(2)
    for (const client of redis.inspect()) expect(await client.keys(`*${name}*`)).toEqual([])
  })

  it('read-write lock and semaphore options', () => {
    const redlock = redis.redlock()
    expect(() => redlock.readWrite('doc', { TTL: 5 } as never)).toThrow(/options has no option 'TTL'/)
    expect(() => redlock.semaphore('api', { permits: 2, tll: 5 } as never)).toThrow(/options has no option 'tll'/)
    expect(() => redlock.semaphore('api', { permits: 2, ttl: 5_000 })).not.toThrow()
  })
})
