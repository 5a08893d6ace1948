import { describe, expect, it } from 'vitest'
import { LockLostError, type Permit, type WriteLock } from '../../src/index.js'
import { fresh, useRedis } from '../helpers.js'

describe('every hold is a handle like Lock: await using, and a loss in using() aborts the routine', () => {
  const redis = useRedis(3)

  it('await using releases a read, write or permit hold at the end of its block', async () => {
    const redlock = redis.redlock()
    const name = fresh('dispose')
    {
      await using read = await redlock.readWrite(name).read(5_000)
      await using permit = await redlock.semaphore(name, { permits: 1 }).acquire(5_000)
      expect(read.valid && permit.valid).toBe(true)
      expect((await redlock.inspect(name)).holders.map((h) => h.kind).sort()).toEqual(['permit', 'read'])
    }
    expect((await redlock.inspect(name)).held).toBe(false)
    {
      await using write = await redlock.readWrite(name).write(5_000)
      expect(write.mode).toBe('write')
    }
    expect((await redlock.inspect(name)).held).toBe(false)
  })

  it('a hold lost while its routine runs (a majority paused) aborts the signal with a LockLostError naming it', async () => {
    const redlock = redis.redlock({ requestTimeout: 100 })
    const name = fresh('lost')
    const [a, b] = redis.group.instances
    let seen: WriteLock | undefined
    const run = redlock.usingWrite(name, 600, async (signal, lock) => {
      seen = lock
      a!.pause()
      b!.pause()
      // The extension cannot reach a quorum: the signal aborts before the validity runs out.
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))
      return signal.reason
    })
    let reason: unknown
    try {
      reason = await run.catch((err: unknown) => err)
    } finally {
      a!.resume()
      b!.resume()
    }
    expect(reason).toBeInstanceOf(LockLostError)
    expect((reason as LockLostError<WriteLock>).lock).toBe(seen)
    expect(seen!.valid).toBe(false)
  })

  it('a permit held through sem.using is extended past its ttl and its signal stays quiet', async () => {
    const redlock = redis.redlock()
    const sem = redlock.semaphore(fresh('keep'), { permits: 1, ttl: 500 })
    let held: Permit | undefined
    await sem.using(async (signal, permit) => {
      held = permit
      const token = permit.fencingToken
      await new Promise((resolve) => setTimeout(resolve, 800))
      expect(signal.aborted).toBe(false)
      expect(permit.fencingToken).toBe(token)
    })
    expect(held!.released).toBe(true)
  })
})
