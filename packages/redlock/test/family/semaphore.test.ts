import { waitFor } from '@org/testkit'
import { describe, expect, it } from 'vitest'
import { Permit } from '../../src/index.js'
import { fresh, hold, useRedis } from '../helpers.js'

describe('a semaphore: at most `permits` holders at once', () => {
  const redis = useRedis(3)

  it('hands out `permits` permits, refuses the next, and serves it once one is released', async () => {
    const redlock = redis.redlock({ retryDelay: 20, retryJitter: 5 })
    const sem = redlock.semaphore(fresh('sem'), { permits: 2, ttl: 5_000 })
    const p1 = await sem.acquire()
    const p2 = await sem.acquire()
    expect(p1).toBeInstanceOf(Permit)
    expect(p2.fencingToken).not.toBe(p1.fencingToken)
    const refused = await sem.acquire({ retryCount: 1, retryDelay: 10 }).catch((e: unknown) => e)
    expect(refused).toMatchObject({ name: 'ResourceLockedError', resources: [sem.name] })
    const third = sem.acquire({ timeout: 5_000 })
    await waitFor(async () => (await redlock.inspect(sem.name)).waiters === 1, { what: 'the third queued' })
    await p1.release()
    const p3 = await third
    expect(p3.fencingToken > p1.fencingToken && p3.fencingToken > p2.fencingToken).toBe(true)
    const info = await redlock.inspect(sem.name)
    expect(info.holders.map((h) => h.value).sort()).toEqual([p2.value, p3.value].sort())
    await Promise.all([p2.release(), p3.release()])
  })

  it('the permit counter never goes above `permits` with 12 workers of 3 Redlocks, and all are served', async () => {
    const redlocks = [0, 1, 2].map(() => redis.redlock({ retryDelay: 20, retryJitter: 10 }))
    const name = fresh('sem-count')
    const permits = 3
    let inside = 0
    let most = 0
    let done = 0
    const tokens = new Set<bigint>()
    const worker = async (w: number) => {
      const sem = redlocks[w % 3]!.semaphore(name, { permits, ttl: 2_000 })
      for (let i = 0; i < 5; i++) {
        await sem.using({ retryCount: -1 }, async (_signal, permit) => {
          inside++
          most = Math.max(most, inside)
          tokens.add(permit.fencingToken)
          await hold(2)
          inside--
          done++
        })
      }
    }
    await Promise.all(Array.from({ length: 12 }, (_, w) => worker(w)))
    expect(most).toBeLessThanOrEqual(permits)
    expect(most).toBeGreaterThan(1)
    expect(done).toBe(60)
    expect(tokens.size).toBe(60) // every permit had a token of its own
  })

  it('waiters are served in the order they started waiting', async () => {
    const owner = redis.redlock()
    const name = fresh('sem-fifo')
    const held = await owner.semaphore(name, { permits: 1 }).acquire(5_000)
    const order: number[] = []
    const waiting: Promise<void>[] = []
    for (let i = 0; i < 4; i++) {
      const sem = redis.redlock({ retryDelay: 50 }).semaphore(name, { permits: 1 })
      waiting.push(
        sem.acquire(5_000, { timeout: 10_000 }).then(async (p) => {
          order.push(i)
          await p.release()
        }),
      )
      await waitFor(async () => (await owner.inspect(name)).waiters === i + 1, { what: `waiter ${i} queued` })
    }
    await held.release()
    await Promise.all(waiting)
    expect(order).toEqual([0, 1, 2, 3])
  })

  it('sem.using extends the permit past its ttl and releases it after', async () => {
    const redlock = redis.redlock()
    const sem = redlock.semaphore(fresh('sem-using'), { permits: 1, ttl: 600 })
    const value = await sem.using(async (signal, permit) => {
      await hold(900)
      expect(signal.aborted).toBe(false)
      return permit.mode
    })
    expect(value).toBe('permit')
    expect((await redlock.inspect(sem.name)).held).toBe(false)
  })
})
