import { describe, expect, it } from 'vitest'
import { LockError, ResourceLockedError } from '../src/index.js'
import { fresh, useRedis } from './helpers.js'

/** The rejection of an acquire, and how long it took to come. */
async function failure(pending: Promise<unknown>): Promise<{ err: LockError; ms: number }> {
  const started = performance.now()
  const err = await pending.then(
    () => {
      throw new Error('the acquire was expected to fail')
    },
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(LockError)
  return { err: err as LockError, ms: performance.now() - started }
}

describe('a timeout, not the retry count, decides how long an acquire waits for a held resource', () => {
  const redis = useRedis(3)

  it("retries until the timeout passes: the Redlock's retryCount does not cut it short", async () => {
    const resource = fresh()
    const holder = await redis.redlock().acquire(resource, 30_000)
    // Without a timeout these settings give up after 4 attempts, about 150 ms.
    const redlock = redis.redlock({ retryCount: 3, retryDelay: 50, retryJitter: 0 })
    const { err, ms } = await failure(redlock.acquire(resource, 5_000, { timeout: 1_500 }))
    expect(err).toBeInstanceOf(ResourceLockedError)
    expect(err.reason).toBe('timeout')
    expect(ms).toBeGreaterThanOrEqual(1_450)
    expect(ms).toBeLessThan(1_500 + 1_500)
    expect(err.attempts).toBeGreaterThan(4)
    await holder.release()
  })

  it('with the default settings, { timeout: 3000 } waits about 3 s, not the ~2 s of 11 attempts', async () => {
    const resource = fresh()
    const holder = await redis.redlock().acquire(resource, 30_000)
    const { err, ms } = await failure(redis.redlock().acquire(resource, 5_000, { timeout: 3_000 }))
    expect(err).toBeInstanceOf(ResourceLockedError)
    expect(ms).toBeGreaterThanOrEqual(2_950)
    expect(ms).toBeLessThan(3_000 + 1_500)
    await holder.release()
  })

  it('a retryCount given with the timeout in the same call still ends the acquire first', async () => {
    const resource = fresh()
    const holder = await redis.redlock().acquire(resource, 30_000)
    const redlock = redis.redlock({ retryDelay: 50, retryJitter: 0 })
    const { err, ms } = await failure(redlock.acquire(resource, 5_000, { timeout: 10_000, retryCount: 2 }))
    expect(err).toBeInstanceOf(ResourceLockedError)
    expect(err.reason).toBe('locked')
    expect(err.attempts).toBe(3)
    expect(ms).toBeLessThan(5_000)
    await holder.release()
  })

  it('using() follows the same rule', async () => {
    const resource = fresh()
    const holder = await redis.redlock().acquire(resource, 30_000)
    const redlock = redis.redlock({ retryCount: 1, retryDelay: 50, retryJitter: 0 })
    const { err, ms } = await failure(redlock.using(resource, 5_000, { timeout: 800 }, () => 'ran'))
    expect(err).toBeInstanceOf(ResourceLockedError)
    expect(ms).toBeGreaterThanOrEqual(750)
    await holder.release()
  })
})

describe('an acquire that gives up on resources held by another holder rejects with ResourceLockedError', () => {
  const redis = useRedis(3)

  it('the errors example of the README: { timeout: 1_000 } on a held resource', async () => {
    const holder = await redis.redlock().acquire('Resource_A', 30_000)
    const { err } = await failure(redis.redlock().acquire('Resource_A', 5_000, { timeout: 1_000 }))
    expect(err).toBeInstanceOf(ResourceLockedError)
    expect((err as ResourceLockedError).resources).toEqual(['Resource_A'])
    expect(err.reason).toBe('timeout')
    expect(err.message).toMatch(/Resource_A/)
    expect(err.answers.filter((a) => a.status === 'locked').length).toBeGreaterThanOrEqual(2)
    await holder.release()
  })

  it("out of retries: reason 'locked'", async () => {
    const resource = fresh()
    const holder = await redis.redlock().acquire(resource, 30_000)
    const { err } = await failure(redis.redlock({ retryCount: 1, retryDelay: 10 }).acquire(resource, 5_000))
    expect(err).toBeInstanceOf(ResourceLockedError)
    expect(err.reason).toBe('locked')
    expect(err.attempts).toBe(2)
    await holder.release()
  })

  it("out of time while queued behind a lock of the same Redlock: reason 'timeout'", async () => {
    const resource = fresh()
    const redlock = redis.redlock({ retryDelay: 10_000, retryJitter: 0 })
    const holder = await redlock.acquire(resource, 30_000)
    const { err, ms } = await failure(redlock.acquire(resource, 5_000, { timeout: 300 }))
    expect(err).toBeInstanceOf(ResourceLockedError)
    expect(err.reason).toBe('timeout')
    expect(ms).toBeGreaterThanOrEqual(250)
    await holder.release()
  })
})

describe("'timeout' and 'quorum' keep their meaning when nothing is held", () => {
  const redis = useRedis(3)

  it("out of time while too few instances answer: a plain LockError with reason 'timeout'", async () => {
    const redlock = redis.redlock({ requestTimeout: 100, retryDelay: 50, retryJitter: 0 })
    redis.group.instances[1]!.pause()
    redis.group.instances[2]!.pause()
    try {
      const { err, ms } = await failure(redlock.acquire(fresh(), 5_000, { timeout: 600 }))
      expect(err).not.toBeInstanceOf(ResourceLockedError)
      expect(err.reason).toBe('timeout')
      expect(ms).toBeGreaterThanOrEqual(550)
    } finally {
      redis.group.instances[1]!.resume()
      redis.group.instances[2]!.resume()
    }
  })
})
