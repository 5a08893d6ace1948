import { waitFor } from '@org/testkit'
import { describe, expect, it } from 'vitest'
import { fresh, useRedis } from '../helpers.js'

describe('inspect() reads what is held on a quorum, without taking anything', () => {
  const redis = useRedis(3)

  it('lists the plain lock, the readers and the permits held, until when, and the last token', async () => {
    const redlock = redis.redlock()
    const name = fresh('inspect')
    expect(await redlock.inspect(name)).toMatchObject({ held: false, holders: [], waiters: 0, answered: 3, agreed: 3 })
    const lock = await redlock.acquire(name, 5_000)
    const rw = redlock.readWrite(name)
    const [r1, r2] = [await rw.read(4_000), await rw.read(3_000)]
    const permit = await redlock.semaphore(name, { permits: 2 }).acquire(2_000)
    const info = await redlock.inspect(name)
    expect(info).toMatchObject({ name, held: true, quorum: 2, answered: 3, agreed: 3, waiters: 0 })
    expect(info.holders.map((h) => [h.kind, h.value, h.instances])).toEqual([
      ['lock', lock.value, 3],
      ['read', r1.value, 3],
      ['read', r2.value, 3],
      ['permit', permit.value, 3],
    ])
    // Until when: the instances' expiries, seen from here; never before this process' own validity.
    for (const [h, held] of [
      [info.holders[0]!, lock],
      [info.holders[1]!, r1],
      [info.holders[3]!, permit],
    ] as const) {
      expect(h.until).toBeGreaterThanOrEqual(held.expiration - 5)
      expect(h.until).toBeLessThan(held.expiration + held.ttl / 10)
    }
    expect(info.lastToken >= permit.fencingToken).toBe(true)
    expect(info.lastToken >= lock.fencingToken).toBe(true)
    await Promise.all([lock.release(), r1.release(), r2.release(), permit.release()])
    expect(await redlock.inspect(name)).toMatchObject({ held: false, holders: [] })
  })

  it('counts waiters, and says how many instances answered and agreed when one is paused', async () => {
    const redlock = redis.redlock({ requestTimeout: 200 })
    const name = fresh('inspect-wait')
    const w = await redlock.readWrite(name).write(5_000)
    const waiting = redis.redlock().readWrite(name).read(5_000, { timeout: 10_000 })
    await waitFor(async () => (await redlock.inspect(name)).waiters === 1, { what: 'the reader queued' })
    const paused = redis.group.instances[0]!
    paused.pause()
    try {
      const info = await redlock.inspect(name)
      expect(info).toMatchObject({ held: true, answered: 2, agreed: 2, waiters: 1 })
      expect(info.holders.map((h) => [h.kind, h.value])).toEqual([['write', w.value]])
      expect(info.answers.map((a) => a.status)).toEqual(['timeout', 'ok', 'ok'])
    } finally {
      paused.resume()
    }
    await w.release()
    const r = await waiting
    const after = await redlock.inspect(name)
    expect(after.holders.map((h) => [h.kind, h.value])).toEqual([['read', r.value]])
    expect(after.waiters).toBe(0)
    await r.release()
  })
})
