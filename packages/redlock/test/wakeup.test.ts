import { waitFor } from '@org/testkit'
import { describe, expect, it } from 'vitest'
import { ResourceLockedError, redlockKeys } from '../src/index.js'
import { cutSubscribers, fresh, hold, untilQueued, useRedis } from './helpers.js'

// The retry delay is far longer than the test's bounds: only a wake-up can explain a prompt acquire.
const SLOW_RETRY = { retryDelay: 10_000, retryJitter: 0 }

describe('waiters are woken on release, not by polling', () => {
  const redis = useRedis(3)

  it('a waiter of another Redlock (another process) gets the lock right after the release, via pub/sub', async () => {
    const resource = fresh()
    const holder = await redis.redlock().acquire(resource, 10_000)
    const waiting = redis.redlock(SLOW_RETRY).acquire(resource, 10_000, { timeout: 8_000 })
    await hold(100) // let the waiter fail its first attempt and subscribe
    const released = performance.now()
    await holder.release()
    const lock = await waiting
    expect(performance.now() - released).toBeLessThan(5_000)
    expect(lock.fencingToken > holder.fencingToken).toBe(true)
    await lock.release()
  })

  it('a waiter of the same Redlock takes the lock over directly from the holder', async () => {
    const resource = fresh()
    const redlock = redis.redlock(SLOW_RETRY)
    const holder = await redlock.acquire(resource, 30_000)
    const waiting = redlock.acquire(resource, 3_000, { timeout: 8_000 })
    await hold(20)
    const released = performance.now()
    const result = await holder.release()
    const lock = await waiting
    expect(performance.now() - released).toBeLessThan(5_000)
    expect(result.held).toBe(true)
    expect(lock.fencingToken > holder.fencingToken).toBe(true)
    expect(lock.value).not.toBe(holder.value)
    // The successor's own ttl applies, not what was left of the holder's.
    expect(lock.ttl).toBe(3_000)
    expect(lock.remaining).toBeLessThanOrEqual(3_000)
    for (const c of redis.inspect()) {
      expect(await c.get(`redlock:{${resource}}`)).toBe(lock.value)
      expect(await c.pttl(`redlock:{${resource}}`)).toBeLessThanOrEqual(3_000)
    }
    await lock.release()
    for (const c of redis.inspect()) expect(await c.exists(`redlock:{${resource}}`)).toBe(0)
  })
})

describe('waiters of one Redlock are served in arrival order', () => {
  const redis = useRedis(3)

  it('five queued acquires get the lock one after the other in the order they asked', async () => {
    const resource = fresh()
    const redlock = redis.redlock(SLOW_RETRY)
    const first = await redlock.acquire(resource, 10_000)
    const order: number[] = []
    const tokens: bigint[] = []
    const waiters = [0, 1, 2, 3, 4].map(async (i) => {
      const lock = await redlock.acquire(resource, 10_000, { timeout: 8_000 })
      order.push(i)
      tokens.push(lock.fencingToken)
      await hold(2)
      await lock.release()
    })
    await hold(20)
    await first.release()
    await Promise.all(waiters)
    expect(order).toEqual([0, 1, 2, 3, 4])
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]! > tokens[i - 1]!).toBe(true)
  })

  it('an uncontended release publishes nothing; one that somebody found locked announces itself', async () => {
    const quiet = fresh('quiet')
    const contended = fresh('contended')
    const subscribers = redis.inspect()
    const heard: string[] = []
    for (const s of subscribers) {
      s.on('message', (channel: string) => heard.push(channel))
      await s.subscribe(`redlock:{${quiet}}`, `redlock:{${contended}}`)
    }
    // A PING on each subscriber connection is answered after every message published before it.
    const drain = () => Promise.all(subscribers.map((s) => s.ping()))

    await (await redis.redlock().acquire(quiet, 5_000)).release()
    await drain()
    expect(heard).toEqual([])

    const holder = await redis.redlock().acquire(contended, 5_000)
    const refused = await redis
      .redlock({ retryCount: 0 })
      .acquire(contended, 5_000)
      .catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(ResourceLockedError)
    await holder.release()
    // A quorum of instances announces it (the refused attempt returned on a quorum of refusals; its request to the
    // third instance may arrive after the release there), which is what a waiter's notifier waits for.
    await waitFor(() => heard.length >= 2, { timeoutMs: 5_000, what: 'announcements from a quorum' })
    expect(new Set(heard)).toEqual(new Set([`redlock:{${contended}}`]))
    for (const s of subscribers) s.disconnect()
  })
})

describe('a waiter whose subscriber connection was cut does not miss its turn', () => {
  const redis = useRedis(3)

  it('a hand-over announced while the connection was down is found as soon as it is back, not at the next renewal', async () => {
    const resource = fresh('cut')
    const inspect = redis.inspect()
    const { leases } = redlockKeys(resource)
    const holder = await redis.redlock().acquire(resource, 20_000)
    const waiting = redis.redlock(SLOW_RETRY).acquire(resource, 20_000)
    await untilQueued(inspect, resource, 1)
    // Cut right after a lease renewal (its lease end moves on every instance), so the next one is ~333 ms away.
    const lease = async () =>
      (await Promise.all(inspect.map((c) => c.zrange(leases, 0, 0, 'WITHSCORES')))).map((r) => r[1])
    const before = await lease()
    await waitFor(async () => (await lease()).every((end, i) => end !== before[i]), {
      timeoutMs: 5_000,
      what: 'a lease renewal on every instance',
    })
    const renewed = await lease()
    // Pub/sub is at most once: the hand-over is announced while the waiter's subscriber connections are down.
    await cutSubscribers(inspect)
    await holder.release()
    const lock = await waiting
    // Held before the waiter renewed its lease again: its subscriber, back, sent it to look (before: the renewal did).
    expect(await lease()).toEqual(renewed)
    await lock.release()
    for (const client of inspect) client.disconnect()
  })
})
