import { waitFor } from '@org/testkit'
import { describe, expect, it } from 'vitest'
import { LockLostError } from '../src/index.js'
import { fresh, onEvery, useRedis } from './helpers.js'

describe('a lock expires after its ttl', () => {
  const redis = useRedis(3)

  it('its keys disappear, it reports itself invalid, and another Redlock can take the resource', async () => {
    const resource = fresh()
    const lock = await redis.redlock().acquire(resource, 200)
    expect(lock.valid).toBe(true)
    const inspect = redis.inspect()
    await waitFor(
      async () => (await Promise.all(inspect.map((c) => c.exists(`redlock:{${resource}}`)))).every((n) => n === 0),
      {
        timeoutMs: 5_000,
        what: 'the lock keys to expire',
      },
    )
    expect(lock.valid).toBe(false)
    const other = await redis.redlock().acquire(resource, 1_000)
    expect(other.fencingToken > lock.fencingToken).toBe(true)
    await other.release()
  })
})

describe('extend', () => {
  const redis = useRedis(3)

  it('gives the keys the new ttl on every instance while the lock is held', async () => {
    const resource = fresh()
    const lock = await redis.redlock().acquire(resource, 1_000)
    const extended = await lock.extend(60_000)
    expect(extended).toBe(lock)
    expect(lock.ttl).toBe(60_000)
    expect(lock.remaining).toBeGreaterThan(30_000)
    await onEvery(redis.inspect(), async (c) => (await c.pttl(`redlock:{${resource}}`)) > 30_000, 'the new ttl')
    await lock.release()
  })

  it('fails with LockLostError after the lock expired, and sets nothing', async () => {
    const resource = fresh()
    const redlock = redis.redlock()
    const lock = await redlock.acquire(resource, 100)
    await waitFor(() => !lock.valid, { timeoutMs: 5_000, what: 'expiry' })
    await expect(redlock.extend(lock, 1_000)).rejects.toBeInstanceOf(LockLostError)
    for (const c of redis.inspect()) {
      await waitFor(async () => (await c.exists(`redlock:{${resource}}`)) === 0, { what: 'no key' })
    }
  })

  it('fails with LockLostError when another value holds the keys', async () => {
    const resource = fresh()
    const lock = await redis.redlock().acquire(resource, 5_000)
    for (const c of redis.inspect()) await c.set(`redlock:{${resource}}`, 'someone-else', 'PX', 5_000)
    const err = await lock.extend(5_000).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LockLostError)
    expect((err as LockLostError).answers.filter((a) => a.status === 'locked').length).toBeGreaterThanOrEqual(2)
    for (const c of redis.inspect()) expect(await c.get(`redlock:{${resource}}`)).toBe('someone-else')
  })
})

describe('release', () => {
  const redis = useRedis(3)

  it('of an expired lock resolves and reports that nothing was held', async () => {
    const lock = await redis.redlock().acquire(fresh(), 50)
    await waitFor(() => !lock.valid, { timeoutMs: 5_000, what: 'expiry' })
    await waitFor(async () => !(await lock.release()).held, { timeoutMs: 5_000, what: 'keys gone' })
  })

  it('never deletes a lock held by another value', async () => {
    const resource = fresh()
    const stale = await redis.redlock().acquire(resource, 100)
    const current = await redis
      .redlock({ retryCount: -1, retryDelay: 20 })
      .acquire(resource, 10_000, { timeout: 10_000 })
    // `current` needs only a quorum: on an instance where the stale key had not expired yet it holds nothing,
    // so only the instances it does hold must keep its value.
    const key = `redlock:{${resource}}`
    const before = await Promise.all(redis.inspect().map((c) => c.get(key)))
    expect(before.filter((v) => v === current.value).length).toBeGreaterThanOrEqual(2)
    const result = await stale.release()
    expect(result.instances).toBe(before.filter((v) => v === stale.value).length)
    const after = await Promise.all(redis.inspect().map((c) => c.get(key)))
    for (const [i, v] of before.entries()) if (v === current.value) expect(after[i]).toBe(current.value)
    expect(after).not.toContain(stale.value)
    await current.release()
  })

  it('removes the keys on every instance and can be repeated', async () => {
    const resource = fresh()
    const lock = await redis.redlock().acquire(resource, 5_000)
    expect((await lock.release()).held).toBe(true)
    expect(lock.released).toBe(true)
    expect((await lock.release()).held).toBe(false)
    for (const c of redis.inspect()) {
      await waitFor(async () => (await c.exists(`redlock:{${resource}}`)) === 0, { what: 'no key' })
    }
  })
})
