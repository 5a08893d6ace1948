import { waitFor } from '@org/testkit'
import { describe, expect, it } from 'vitest'
import { ResourceLockedError } from '../src/index.js'
import { fresh, holderOf, onEvery, useRedis } from './helpers.js'

describe('concurrent operations sent together keep their own outcomes', () => {
  const redis = useRedis(3)

  it('100 acquires at once on free resources all succeed while those on a held resource fail, then all release', async () => {
    const held = fresh('held')
    const holder = await redis.redlock().acquire(held, 10_000)
    const redlock = redis.redlock({ retryCount: 0 })
    const free = Array.from({ length: 100 }, () => fresh('free'))
    const results = await Promise.allSettled([
      ...free.map((r) => redlock.acquire(r, 10_000)),
      ...Array.from({ length: 5 }, () => redlock.acquire(held, 10_000)),
    ])
    const locks = results.slice(0, 100).map((r) => (r.status === 'fulfilled' ? r.value : undefined))
    expect(locks.every((l) => l !== undefined)).toBe(true)
    for (const r of results.slice(100)) {
      expect(r.status).toBe('rejected')
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ResourceLockedError)
    }
    const [inspect] = redis.inspect()
    const values = locks.map((l) => l!.value).join()
    const keys = free.map((r) => `redlock:{${r}}`)
    await onEvery([inspect!], async (c) => (await c.mget(...keys)).join() === values, 'every lock set')
    const released = await Promise.all(locks.map((l) => l!.release()))
    expect(released.every((r) => r.held)).toBe(true)
    for (const c of redis.inspect()) {
      await waitFor(async () => (await c.exists(...free.map((r) => `redlock:{${r}}`))) === 0, { what: 'all released' })
      expect(holderOf(await c.get(`redlock:{${held}}`))).toBe(holder.value)
    }
    await holder.release()
  })
})
