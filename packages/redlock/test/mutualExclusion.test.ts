import { describe, expect, it } from 'vitest'
import { fresh, hold, useRedis } from './helpers.js'

for (const count of [3, 5]) {
  describe(`with ${count} instances, at most one holder at a time`, () => {
    const redis = useRedis(count)

    it('many workers of several Redlocks never overlap on one resource, and all get their turn', async () => {
      const resource = fresh('mutex')
      const redlocks = [
        redis.redlock({ retryDelay: 20, retryJitter: 10 }),
        redis.redlock({ retryDelay: 20, retryJitter: 10 }),
      ]
      let inside = 0
      let overlaps = 0
      let done = 0
      const tokens: bigint[] = []
      const worker = async (w: number) => {
        const redlock = redlocks[w % redlocks.length]!
        for (let i = 0; i < 5; i++) {
          await redlock.using(resource, 2_000, { retryCount: -1 }, async (_signal, lock) => {
            inside++
            if (inside > 1) overlaps++
            tokens.push(lock.fencingToken)
            await hold(2)
            inside--
            done++
          })
        }
      }
      await Promise.all(Array.from({ length: 12 }, (_, w) => worker(w)))
      expect(overlaps).toBe(0)
      expect(done).toBe(60)
      // Tokens in the order the holders got them are strictly increasing.
      for (let i = 1; i < tokens.length; i++) expect(tokens[i]! > tokens[i - 1]!).toBe(true)
    })

    it('never overlap either while the servers forget their scripts between rounds (SCRIPT FLUSH)', async () => {
      // A forgotten script is answered NOSCRIPT and sent again in full, behind commands issued after it: every
      // attempt's own value keeps such a late operation from touching a lock set after it.
      const clients = redis.inspect()
      let inside = 0
      let overlaps = 0
      let done = 0
      for (let round = 0; round < 12; round++) {
        await Promise.all(clients.map((c) => c.script('FLUSH')))
        const resource = fresh('flushed')
        const redlocks = [
          redis.redlock({ retryDelay: 20, retryJitter: 10 }),
          redis.redlock({ retryDelay: 20, retryJitter: 10 }),
        ]
        const worker = async (w: number) => {
          for (let i = 0; i < 4; i++) {
            await redlocks[w % 2]!.using(resource, 2_000, { retryCount: -1 }, async () => {
              inside++
              if (inside > 1) overlaps++
              await hold(1)
              inside--
              done++
            })
          }
        }
        await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)))
      }
      for (const c of clients) c.disconnect()
      expect(overlaps).toBe(0)
      expect(done).toBe(12 * 8 * 4)
    })

    it('a second acquire of a held resource fails with ResourceLockedError', async () => {
      const resource = fresh()
      const a = redis.redlock()
      const b = redis.redlock({ retryCount: 2, retryDelay: 10, retryJitter: 0 })
      const lock = await a.acquire(resource, 5_000)
      const err = await b.acquire(resource, 5_000).catch((e: unknown) => e)
      expect(err).toMatchObject({ name: 'ResourceLockedError', reason: 'locked', attempts: 3 })
      await lock.release()
    })
  })
}
