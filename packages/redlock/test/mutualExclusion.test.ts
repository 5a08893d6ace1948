import { describe, expect, it } from 'vitest'
import type { Redlock } from '../src/index.js'
import { fresh, hold, useRedis } from './helpers.js'

/** What a round of contending workers saw: overlaps inside the lock, routines run, tokens in holding order. */
interface Contention {
  overlaps: number
  done: number
  tokens: bigint[]
}

/**
 * `workers` workers, spread over the given Redlocks, each take the resource `times` times through `using()`, hold it
 * for `holdMs` and count how often another holder was inside at the same time.
 */
async function contend(
  redlocks: Redlock[],
  resource: string,
  { workers, times, holdMs }: { workers: number; times: number; holdMs: number },
): Promise<Contention> {
  const seen: Contention = { overlaps: 0, done: 0, tokens: [] }
  let inside = 0
  const worker = async (w: number) => {
    const redlock = redlocks[w % redlocks.length]!
    for (let i = 0; i < times; i++) {
      await redlock.using(resource, 2_000, { retryCount: -1 }, async (_signal, lock) => {
        inside++
        if (inside > 1) seen.overlaps++
        seen.tokens.push(lock.fencingToken)
        await hold(holdMs)
        inside--
        seen.done++
      })
    }
  }
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)))
  return seen
}

for (const count of [3, 5]) {
  describe(`with ${count} instances, at most one holder at a time`, () => {
    const redis = useRedis(count)
    const twoRedlocks = () => [
      redis.redlock({ retryDelay: 20, retryJitter: 10 }),
      redis.redlock({ retryDelay: 20, retryJitter: 10 }),
    ]

    it('many workers of several Redlocks never overlap on one resource, and all get their turn', async () => {
      const { overlaps, done, tokens } = await contend(twoRedlocks(), fresh('mutex'), {
        workers: 12,
        times: 5,
        holdMs: 2,
      })
      expect(overlaps).toBe(0)
      expect(done).toBe(60)
      // Tokens in the order the holders got them are strictly increasing.
      for (let i = 1; i < tokens.length; i++) expect(tokens[i]! > tokens[i - 1]!).toBe(true)
    })

    it('never overlap either while the servers forget their scripts between rounds (SCRIPT FLUSH)', async () => {
      // A forgotten script is answered NOSCRIPT and sent again in full, behind commands issued after it: every
      // attempt's own value keeps such a late operation from touching a lock set after it.
      const clients = redis.inspect()
      let overlaps = 0
      let done = 0
      for (let round = 0; round < 12; round++) {
        await Promise.all(clients.map((c) => c.script('FLUSH')))
        const seen = await contend(twoRedlocks(), fresh('flushed'), { workers: 8, times: 4, holdMs: 1 })
        overlaps += seen.overlaps
        done += seen.done
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
