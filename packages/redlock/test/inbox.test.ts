import { waitFor } from '@org/testkit'
import { describe, expect, it } from 'vitest'
import { redlockKeys } from '../src/index.js'
import { cutSubscribers, fresh, hold, listen, untilQueued, useRedis, waiterBehindHolder } from './helpers.js'

describe("waiters are announced to the holder's process alone", () => {
  const redis = useRedis(3)

  it("a waiter that queues behind a holder that took the lock from the queue is announced on the holder's inbox", async () => {
    const resource = fresh('announce')
    const { inspect, holder: first, waiting: taking } = await waiterBehindHolder(redis, resource, 20_000)
    await first.release()
    const held = await taking // by a direct grant: b's inbox is the holder's now
    const heard = await listen(redis.inspect(), resource)
    const c = redis.redlock({ retryCount: -1, retryDelay: 10_000, retryJitter: 0 })
    const waiting = c.acquire(resource, 20_000)
    await untilQueued(inspect, resource, 2)
    await heard.drain()
    expect(heard.onChannel.filter((m) => m.startsWith('?'))).toEqual([])
    expect(heard.inInbox.some((m) => m.startsWith('?') && m.endsWith(` ${redlockKeys(resource).lock}`))).toBe(true)
    await held.release()
    await (await waiting).release()
    for (const client of inspect) client.disconnect()
  })
})

describe('under fifo, a waiter of a process whose lock others wait for takes its place in Redis at once', () => {
  const redis = useRedis(3)

  it('a second acquire of the holding Redlock is queued in Redis without waiting for its retry timer', async () => {
    const resource = fresh('placed')
    const inspect = redis.inspect()
    const x = await redis.redlock().acquire(resource, 20_000)
    const a = redis.redlock({ retryCount: -1, retryDelay: 10_000, retryJitter: 0 })
    const b = redis.redlock({ retryCount: -1, retryDelay: 10_000, retryJitter: 0 })
    const taking = a.acquire(resource, 20_000)
    await untilQueued(inspect, resource, 1)
    const other = b.acquire(resource, 20_000)
    await untilQueued(inspect, resource, 2)
    await hold(400) // past a lease renewal: both settled and subscribed
    await x.release()
    const held = await taking // a holds it from the queue, and is told b waits behind it
    await hold(50)
    const second = a.acquire(resource, 20_000)
    await untilQueued(inspect, resource, 3) // a's holder, b, and the second: far sooner than a 10 s retry timer
    await held.release()
    await (await other).release() // b was next in line
    await (await second).release()
    for (const client of inspect) client.disconnect()
  })
})

describe("a Redlock's own waiters are never taken for another process'", () => {
  const redis = useRedis(3)

  it('workers of one Redlock taking turns pass the lock among themselves, never through the queue in Redis', async () => {
    const resource = fresh('ownwaiters')
    const r = redis.redlock({ retryCount: -1, retryDelay: 10_000, retryJitter: 0 })
    const values: string[] = []
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let i = 0; i < 25; i++) {
          const lock = await r.acquire(resource, 10_000)
          values.push(lock.value)
          await hold(1)
          await lock.release()
        }
      }),
    )
    expect(values.length).toBe(400)
    // A lock handed over through Redis carries a grant value (`<waiter id>/<n>`); one passed within the Redlock does not.
    expect(values.filter((v) => v.includes('/'))).toEqual([])
  })
})

describe('a process that hands its lock among its own waiters learns from the hand-over that another process waits', () => {
  const redis = useRedis(3)

  it('under fifo, a waiter whose announcement the holder lost gets the lock after at most one local hand-over', async () => {
    const resource = fresh('lost')
    const inspect = redis.inspect()
    const { queue } = redlockKeys(resource)
    const x = await redis.redlock().acquire(resource, 20_000)
    const a = redis.redlock({ retryCount: -1, retryDelay: 10_000, retryJitter: 0 })
    const taking = a.acquire(resource, 20_000)
    await untilQueued(inspect, resource, 1)
    await hold(400) // past a lease renewal: settled and subscribed
    await x.release()
    const first = await taking // from the queue: with spare tokens, so a may hand it to its own waiters
    const order: string[] = []
    let bHolds = false
    const local = Array.from({ length: 3 }, async (_, worker) => {
      while (!bHolds && order.length < 30) {
        const lock = await a.acquire(resource, 20_000)
        order.push(`a${worker}`)
        await hold(5) // longer than a round trip: the transfer's reply is back before the next release
        await lock.release()
      }
    })
    // Pub/sub is at most once: with a's subscriber connections cut, b's announcements (on queueing and on settling
    // its ticket) are lost; its next renewal announces it again only ~333 ms later.
    await cutSubscribers(inspect)
    const b = redis.redlock({ retryCount: -1, retryDelay: 10_000, retryJitter: 0 })
    const other = b.acquire(resource, 20_000).then((lock) => {
      order.push('b')
      bHolds = true
      return lock
    })
    await waitFor(
      async () =>
        (await Promise.all(inspect.map((c) => c.zrange(queue, 0, -1, 'WITHSCORES')))).every(
          (r) => r.length === 4 && Number(r[3]) < 2 ** 50,
        ),
      { timeoutMs: 5_000, what: 'b queued with a settled ticket on every instance' },
    )
    await first.release()
    await (await other).release()
    await Promise.all(local)
    // Before: b waited for its next renewal (~333 ms) while a's workers took 30 turns.
    expect(order.indexOf('b')).toBeGreaterThanOrEqual(0)
    expect(order.indexOf('b')).toBeLessThanOrEqual(1)
    for (const client of inspect) client.disconnect()
  })
})
