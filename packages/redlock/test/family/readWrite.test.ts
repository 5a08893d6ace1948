import { waitFor } from '@org/testkit'
import { describe, expect, it } from 'vitest'
import { LockLostError, ReadLock, WriteLock } from '../../src/index.js'
import { fresh, hold, useRedis } from '../helpers.js'

describe('a read-write lock: many readers at once, or one writer alone', () => {
  const redis = useRedis(3)

  it('readers hold together; a writer waits until the last reader released, then holds alone', async () => {
    const redlock = redis.redlock({ retryDelay: 20, retryJitter: 5 })
    const rw = redlock.readWrite(fresh('rw'))
    const r1 = await rw.read(5_000)
    const r2 = await rw.read(5_000)
    expect(r1).toBeInstanceOf(ReadLock)
    expect(r1.valid && r2.valid).toBe(true)
    let written = false
    const writing = rw.write(5_000, { timeout: 10_000 }).then((w) => {
      written = true
      return w
    })
    // The writer is queued behind the readers: a quorum lists it as waiting.
    await waitFor(async () => (await redlock.inspect(rw.name)).waiters === 1, { what: 'the writer queued' })
    expect(written).toBe(false)
    await r1.release()
    expect(written).toBe(false)
    await r2.release()
    const w = await writing
    expect(w).toBeInstanceOf(WriteLock)
    expect(w.fencingToken > r1.fencingToken && w.fencingToken > r2.fencingToken).toBe(true)
    const refused = await rw.read(5_000, { retryCount: 1, retryDelay: 10 }).catch((e: unknown) => e)
    expect(refused).toMatchObject({ name: 'ResourceLockedError', resources: [rw.name] })
    await w.release()
    const r3 = await rw.read(5_000)
    expect(r3.fencingToken > w.fencingToken).toBe(true)
    await r3.release()
  })

  it('a waiting writer stops new readers: a reader that comes after it waits for it', async () => {
    const [a, b, c] = [redis.redlock(), redis.redlock(), redis.redlock()]
    const name = fresh('rw-order')
    const r1 = await a.readWrite(name).read(5_000)
    const order: string[] = []
    const writer = b
      .readWrite(name)
      .write(5_000, { timeout: 10_000 })
      .then(async (w) => {
        order.push('writer')
        await w.release()
      })
    await waitFor(async () => (await a.inspect(name)).waiters === 1, { what: 'the writer queued' })
    const reader = c
      .readWrite(name)
      .read(5_000, { timeout: 10_000 })
      .then(async (r) => {
        order.push('late reader')
        await r.release()
      })
    await waitFor(async () => (await a.inspect(name)).waiters === 2, { what: 'the late reader queued' })
    await r1.release()
    await Promise.all([writer, reader])
    expect(order).toEqual(['writer', 'late reader'])
  })

  it('writers and readers of several Redlocks never overlap (overlap detector), writer tokens increase', async () => {
    const redlocks = [0, 1, 2].map(() => redis.redlock({ retryDelay: 20, retryJitter: 10 }))
    const name = fresh('rw-overlap')
    let readers = 0
    let writers = 0
    let overlaps = 0
    let maxReaders = 0
    let done = 0
    const writerTokens: bigint[] = []
    const worker = async (w: number) => {
      const rw = redlocks[w % 3]!.readWrite(name)
      for (let i = 0; i < 6; i++) {
        if ((w + i) % 4 === 0) {
          await rw.usingWrite(2_000, { retryCount: -1 }, async (_signal, lock) => {
            writers++
            if (writers > 1 || readers > 0) overlaps++
            writerTokens.push(lock.fencingToken)
            await hold(2)
            writers--
          })
        } else {
          await rw.usingRead(2_000, { retryCount: -1 }, async () => {
            readers++
            maxReaders = Math.max(maxReaders, readers)
            if (writers > 0) overlaps++
            await hold(2)
            readers--
          })
        }
        done++
      }
    }
    await Promise.all(Array.from({ length: 9 }, (_, w) => worker(w)))
    expect(overlaps).toBe(0)
    expect(done).toBe(54)
    expect(maxReaders).toBeGreaterThan(1)
    for (let i = 1; i < writerTokens.length; i++) expect(writerTokens[i]! > writerTokens[i - 1]!).toBe(true)
  })

  it('redlock.usingRead / usingWrite hold, extend past the ttl, and release', async () => {
    const redlock = redis.redlock()
    const name = fresh('rw-using')
    const result = await redlock.usingWrite(name, 600, async (signal, lock) => {
      expect(lock).toBeInstanceOf(WriteLock)
      await hold(900) // longer than the ttl: the hold is extended meanwhile
      expect(signal.aborted).toBe(false)
      expect(lock.valid).toBe(true)
      return 'written'
    })
    expect(result).toBe('written')
    const read = await redlock.usingRead(name, async (_signal, lock) => lock.mode)
    expect(read).toBe('read')
    expect((await redlock.inspect(name)).held).toBe(false)
  })

  it('a hold that expired cannot be extended (LockLostError), and its share went back by itself', async () => {
    const redlock = redis.redlock()
    const rw = redlock.readWrite(fresh('rw-expire'))
    const w = await rw.write(100)
    await waitFor(() => !w.valid, { what: 'the hold to expire' })
    const err = await w.extend(1_000).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LockLostError)
    expect((err as LockLostError<WriteLock>).lock).toBe(w)
    const r = await rw.read(1_000, { retryCount: -1, retryDelay: 20, timeout: 2_000 })
    await r.release()
  })
})
