import { describe, expect, it } from 'vitest'
import { LockError } from '../src/index.js'
import { fresh, hold, useRedis } from './helpers.js'

describe('acquire can be cancelled and bounded', () => {
  const redis = useRedis(3)

  it('an AbortSignal stops a waiting acquire with a LockError that counts the attempts and the answers', async () => {
    const resource = fresh()
    const holder = await redis.redlock().acquire(resource, 10_000)
    const controller = new AbortController()
    const pending = redis
      .redlock({ retryCount: -1, retryDelay: 50 })
      .acquire(resource, 5_000, { signal: controller.signal })
    await hold(150)
    controller.abort(new Error('no longer needed'))
    const err = (await pending.catch((e: unknown) => e)) as LockError
    expect(err).toBeInstanceOf(LockError)
    expect(err.reason).toBe('aborted')
    expect(err.attempts).toBeGreaterThanOrEqual(1)
    // The outcome is known once a quorum said 'locked'; a slower instance may still be 'pending'.
    expect(err.answers.map((a) => a.instance)).toEqual([0, 1, 2])
    expect(err.answers.filter((a) => a.status === 'locked').length).toBeGreaterThanOrEqual(2)
    for (const a of err.answers) expect(['locked', 'pending']).toContain(a.status)
    expect(err.cause).toMatchObject({ message: 'no longer needed' })
    await holder.release()
  })

  it('an already aborted signal rejects before anything is sent', async () => {
    const resource = fresh()
    const instances = redis.inspect()
    const before = await Promise.all(instances.map((c) => c.info('commandstats')))
    const err = (await redis
      .redlock()
      .acquire(resource, 5_000, { signal: AbortSignal.abort() })
      .catch((e: unknown) => e)) as LockError
    expect(err.reason).toBe('aborted')
    expect(err.attempts).toBe(0)
    // No script ran anywhere (the INFO calls themselves are the only commands counted in between).
    const after = await Promise.all(instances.map((c) => c.info('commandstats')))
    const scripts = (info: string) => info.match(/cmdstat_eval(sha)?:calls=(\d+)/g)?.join() ?? ''
    for (let i = 0; i < instances.length; i++) expect(scripts(after[i]!)).toBe(scripts(before[i]!))
    for (const c of instances) c.disconnect()
  })

  it('a timeout bounds the wait even with unlimited retries', async () => {
    const resource = fresh()
    const holder = await redis.redlock().acquire(resource, 10_000)
    const started = performance.now()
    const err = (await redis
      .redlock({ retryCount: -1, retryDelay: 30 })
      .acquire(resource, 5_000, { timeout: 300 })
      .catch((e: unknown) => e)) as LockError
    expect(err.reason).toBe('timeout')
    expect(err.attempts).toBeGreaterThanOrEqual(2)
    expect(performance.now() - started).toBeLessThan(5_000)
    await holder.release()
  })
})
