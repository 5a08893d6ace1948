import { waitFor } from '@org/testkit'
import { describe, expect, it } from 'vitest'
import { LockError, redlockKeys } from '../src/index.js'
import { fresh, hold, useRedis } from './helpers.js'

/** The key counts of the lock scripts one instance ran for `resource`, in order (EVAL/EVALSHA numkeys). */
async function scriptKeyCounts(watcher: import('ioredis').Redis, resource: string) {
  const monitor = await watcher.monitor()
  const counts: number[] = []
  monitor.on('monitor', (_time: string, args: string[]) => {
    const command = args[0]?.toLowerCase()
    if ((command === 'evalsha' || command === 'eval') && args.some((a) => a.includes(resource))) {
      counts.push(Number(args[2]))
    }
  })
  return { counts, stop: () => monitor.disconnect() }
}

describe('an uncontended lock sends the short scripts of the fast path', () => {
  const redis = useRedis(3)

  it('acquire sends 3 keys (lock, counter, queue) and release 2 (lock, queue), not the full 5 and 4', async () => {
    const resource = fresh('short')
    const [watcher, ...others] = redis.inspect()
    const seen = await scriptKeyCounts(watcher!, resource)
    const redlock = redis.redlock()
    const lock = await redlock.acquire(resource, 10_000)
    await lock.release()
    await waitFor(() => seen.counts.length >= 2, { timeoutMs: 5_000, what: 'both scripts seen' })
    expect(seen.counts).toEqual([3, 2])
    seen.stop()
    for (const c of [watcher!, ...others]) c.disconnect()
  })

  it('a fresh Redlock does not jump a queue: with a waiter queued and the key free, it is refused', async () => {
    const resource = fresh('nojump')
    const inspect = redis.inspect()
    const holder = await redis.redlock().acquire(resource, 10_000)
    const controller = new AbortController()
    const waiting = redis
      .redlock({ retryCount: -1, retryDelay: 60_000 })
      .acquire(resource, 10_000, { signal: controller.signal })
      .catch((e: unknown) => e)
    const { queue, lock } = redlockKeys(resource)
    await waitFor(async () => (await Promise.all(inspect.map((c) => c.zcard(queue)))).every((n) => n === 1), {
      timeoutMs: 5_000,
      what: 'the waiter queued everywhere',
    })
    // The key goes (as if it expired), the waiter stays first in line: a newcomer must not take the lock.
    await Promise.all(inspect.map((c) => c.del(lock)))
    const err = await redis
      .redlock({ retryCount: 0 })
      .acquire(resource, 10_000)
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LockError)
    controller.abort()
    await waiting
    void holder
    for (const c of inspect) c.disconnect()
  })

  it('a fast release that meets a queued waiter falls back and hands the lock over at once', async () => {
    const resource = fresh('handfast')
    const inspect = redis.inspect()
    const holder = await redis.redlock().acquire(resource, 10_000)
    // A retry delay far longer than the test: only the hand-over explains a prompt acquire.
    const waiting = redis.redlock({ retryCount: -1, retryDelay: 60_000, retryJitter: 0 }).acquire(resource, 10_000)
    const { queue } = redlockKeys(resource)
    await waitFor(async () => (await Promise.all(inspect.map((c) => c.zcard(queue)))).every((n) => n === 1), {
      timeoutMs: 5_000,
      what: 'the waiter queued everywhere',
    })
    await hold(50)
    const released = performance.now()
    await holder.release()
    const next = await waiting
    expect(performance.now() - released).toBeLessThan(2_000)
    expect(next.fencingToken > holder.fencingToken).toBe(true)
    await next.release()
    for (const c of inspect) c.disconnect()
  })
})
