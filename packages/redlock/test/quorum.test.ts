import { describe, expect, it } from 'vitest'
import { LockError } from '../src/index.js'
import { fresh, useRedis } from './helpers.js'

describe('a quorum of live instances is enough', () => {
  const redis = useRedis(5)

  it('acquires, extends and releases with 2 of 5 instances killed', async () => {
    await redis.group.instances[1]!.kill()
    await redis.group.instances[3]!.kill()
    const redlock = redis.redlock({ requestTimeout: 200 })
    const lock = await redlock.acquire(fresh(), 5_000)
    await lock.extend(5_000)
    const result = await lock.release()
    expect(result.held).toBe(true)
    expect(result.instances).toBeGreaterThanOrEqual(3)
  })
})

describe('without a quorum the acquire fails and names what each instance answered', () => {
  const redis = useRedis(3)

  it('rejects with a LockError listing every instance when 2 of 3 are killed', async () => {
    await redis.group.instances[1]!.kill()
    await redis.group.instances[2]!.kill()
    const redlock = redis.redlock({ requestTimeout: 200, retryCount: 1, retryDelay: 10, retryJitter: 0 })
    const err = await redlock.acquire(fresh(), 5_000).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LockError)
    const lockError = err as LockError
    expect(lockError.reason).toBe('quorum')
    expect(lockError.attempts).toBe(2)
    expect(lockError.answers.map((a) => a.instance)).toEqual([0, 1, 2])
    // The outcome is known once the two dead instances failed; the live one may not have answered yet.
    expect(['ok', 'pending']).toContain(lockError.answers[0]!.status)
    for (const a of lockError.answers.slice(1)) expect(['error', 'timeout']).toContain(a.status)
    expect(lockError.message).toMatch(/#1 (error|timeout)/)
  })
})

describe('a frozen instance (SIGSTOP) costs at most the request timeout', () => {
  const redis = useRedis(3)

  it('acquire returns at quorum without waiting for one paused instance', async () => {
    const redlock = redis.redlock({ requestTimeout: 5_000 })
    const paused = redis.group.instances[2]!
    paused.pause()
    try {
      const started = performance.now()
      const lock = await redlock.acquire(fresh(), 10_000)
      expect(performance.now() - started).toBeLessThan(2_500)
      await lock.release()
    } finally {
      paused.resume()
    }
  })

  it('acquire gives up after the request timeout when a majority is paused', async () => {
    const redlock = redis.redlock({ requestTimeout: 300, retryCount: 0 })
    redis.group.instances[0]!.pause()
    redis.group.instances[1]!.pause()
    try {
      const started = performance.now()
      const err = await redlock.acquire(fresh(), 10_000).catch((e: unknown) => e)
      expect(performance.now() - started).toBeLessThan(5_000)
      expect(err).toMatchObject({ reason: 'quorum' })
      expect((err as LockError).answers.filter((a) => a.status === 'timeout')).toHaveLength(2)
    } finally {
      redis.group.instances[0]!.resume()
      redis.group.instances[1]!.resume()
    }
  })
})
