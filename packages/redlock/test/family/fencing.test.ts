import { describe, expect, it } from 'vitest'
import type { Redlock, Share } from '../../src/index.js'
import { fresh, useRedis } from '../helpers.js'

describe('fencing tokens of holds rise while a quorum keeps its data', () => {
  const redis = useRedis(3, true)

  it('over 300 holds (writes, reads, permits) by fresh Redlocks, with every instance restarted in between', async () => {
    const name = fresh('fence-holds')
    let last = 0n
    let count = 0
    for (let batch = 0; batch < 6; batch++) {
      // A new Redlock knows no token: it must learn the current one from the instances.
      const redlocks: Redlock[] = [redis.redlock({ requestTimeout: 500 }), redis.redlock({ requestTimeout: 500 })]
      for (let i = 0; i < 50; i++) {
        const redlock = redlocks[i % 2]!
        const options = { retryCount: -1, retryDelay: 20, timeout: 20_000 }
        let hold: Share
        if (i % 3 === 0) hold = await redlock.readWrite(name).write(5_000, options)
        else if (i % 3 === 1) hold = await redlock.readWrite(name).read(5_000, options)
        else hold = await redlock.semaphore(name, { permits: 2 }).acquire(5_000, options)
        expect(hold.fencingToken > last).toBe(true)
        last = hold.fencingToken
        count++
        await hold.release()
      }
      await Promise.all(redlocks.map((r) => r.quit()))
      await redis.group.instances[batch % 3]!.restart()
    }
    expect(count).toBe(300)
  })
})
