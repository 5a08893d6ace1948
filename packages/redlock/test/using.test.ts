import { waitFor } from '@org/testkit'
import { describe, expect, it } from 'vitest'
import { LockLostError } from '../src/index.js'
import { fresh, hold, useRedis } from './helpers.js'

function aborted(signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.resolve(signal.reason)
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }))
}

/** A using() whose lock was lost rejects with the LockLostError even when the routine resolved: its result. */
async function resultAfterLoss(pending: Promise<unknown>): Promise<unknown> {
  const err = await pending.then(
    () => {
      throw new Error('using() resolved although its lock was lost')
    },
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(LockLostError)
  return (err as LockLostError).result
}

describe('using() keeps the lock while the routine runs and releases it after', () => {
  const redis = useRedis(3)

  it('extends a short lock past its ttl, returns the result and releases the keys', async () => {
    const resource = fresh()
    const redlock = redis.redlock({ automaticExtensionThreshold: 500 })
    let extensions = 0
    redlock.on('extended', () => extensions++)
    const result = await redlock.using(resource, 1_000, async (signal) => {
      await hold(2_500)
      return signal.aborted ? 'lost' : 'kept'
    })
    expect(result).toBe('kept')
    expect(extensions).toBeGreaterThanOrEqual(2)
    for (const c of redis.inspect()) expect(await c.exists(`redlock:{${resource}}`)).toBe(0)
  })

  it('releases the lock when the routine throws, and rethrows its error', async () => {
    const resource = fresh()
    const boom = new Error('boom')
    await expect(
      redis.redlock().using(resource, 5_000, async () => {
        throw boom
      }),
    ).rejects.toBe(boom)
    for (const c of redis.inspect()) expect(await c.exists(`redlock:{${resource}}`)).toBe(0)
  })

  it("keeps the routine's own error when the release fails too (instances frozen)", async () => {
    const redlock = redis.redlock({ requestTimeout: 200 })
    const boom = new Error('routine failed')
    const pending = redlock.using(fresh(), 5_000, async () => {
      for (const i of redis.group.instances) i.pause()
      throw boom
    })
    try {
      await expect(pending).rejects.toBe(boom)
    } finally {
      for (const i of redis.group.instances) i.resume()
    }
  })
})

describe('using() aborts the signal with LockLostError before someone else could hold the lock', () => {
  const redis = useRedis(3)

  it('when the lock is stolen (keys deleted)', async () => {
    const resource = fresh()
    const redlock = redis.redlock({ automaticExtensionThreshold: 200 })
    const lost: unknown[] = []
    redlock.on('lost', (_lock, err) => lost.push(err))
    const reason = await resultAfterLoss(
      redlock.using(resource, 600, async (signal) => {
        for (const c of redis.inspect()) await c.del(`redlock:{${resource}}`)
        return aborted(signal)
      }),
    )
    expect(reason).toBeInstanceOf(LockLostError)
    expect(lost).toEqual([reason])
  })

  it('when a majority of instances is paused, while the lock is still valid', async () => {
    const redlock = redis.redlock({ automaticExtensionThreshold: 500, requestTimeout: 100 })
    let remainingAtAbort = -1
    try {
      const reason = await resultAfterLoss(
        redlock.using(fresh(), 1_000, async (signal, lock) => {
          redis.group.instances[0]!.pause()
          redis.group.instances[1]!.pause()
          const why = await aborted(signal)
          remainingAtAbort = lock.remaining
          return why
        }),
      )
      expect(reason).toBeInstanceOf(LockLostError)
      expect(remainingAtAbort).toBeGreaterThan(0)
    } finally {
      redis.group.instances[0]!.resume()
      redis.group.instances[1]!.resume()
    }
  })

  it('when maxExtensions is used up', async () => {
    const redlock = redis.redlock({ automaticExtensionThreshold: 500 })
    let extensions = 0
    redlock.on('extended', () => extensions++)
    const reason = await resultAfterLoss(
      redlock.using(fresh(), 1_000, { maxExtensions: 1 }, (signal) => aborted(signal)),
    )
    expect(reason).toBeInstanceOf(LockLostError)
    expect((reason as LockLostError).message).toMatch(/hold limit/)
    expect(extensions).toBe(1)
  })

  it('when maxHoldMs is reached', async () => {
    const redlock = redis.redlock({ automaticExtensionThreshold: 500 })
    const started = performance.now()
    const reason = await resultAfterLoss(
      redlock.using(fresh(), 1_000, { maxHoldMs: 1_500 }, (signal) => aborted(signal)),
    )
    expect(reason).toBeInstanceOf(LockLostError)
    expect((reason as LockLostError).message).toMatch(/hold limit/)
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_400)
  })

  it('passes an abort of the caller signal on to the routine', async () => {
    const controller = new AbortController()
    const reason = await redis.redlock().using(fresh(), 5_000, { signal: controller.signal }, async (signal) => {
      controller.abort(new Error('caller gave up'))
      return aborted(signal)
    })
    expect(reason).toMatchObject({ message: 'caller gave up' })
  })
})

describe('using() does not report success when the lock was lost while the routine ran', () => {
  const redis = useRedis(3)

  it('a routine that ignores its signal and resolves: using() rejects with the LockLostError, result attached', async () => {
    const resource = fresh()
    const redlock = redis.redlock({ automaticExtensionThreshold: 200 })
    const lost: LockLostError[] = []
    redlock.on('lost', (_lock, err) => lost.push(err))
    const err = await redlock
      .using(resource, 600, async () => {
        for (const c of redis.inspect()) await c.del(`redlock:{${resource}}`)
        await waitFor(() => lost.length > 0, { timeoutMs: 5_000, what: 'the lock to be reported lost' })
        return 'written anyway'
      })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LockLostError)
    expect(err).toBe(lost[0])
    expect((err as LockLostError).result).toBe('written anyway')
    expect((err as LockLostError).lock.resources).toEqual([resource])
  })

  it('a hold limit reached before the routine resolves counts as a loss too', async () => {
    const redlock = redis.redlock({ automaticExtensionThreshold: 500 })
    let sawAbort = false
    const err = await redlock
      .using(fresh(), 1_000, { maxExtensions: 0 }, async (signal) => {
        await waitFor(() => signal.aborted, { timeoutMs: 5_000, what: 'the hold limit' })
        sawAbort = true
        return 42
      })
      .catch((e: unknown) => e)
    expect(sawAbort).toBe(true)
    expect(err).toBeInstanceOf(LockLostError)
    expect((err as LockLostError).message).toMatch(/hold limit/)
    expect((err as LockLostError).result).toBe(42)
  })

  it("a routine that throws after the loss: using() rejects with the routine's own error", async () => {
    const resource = fresh()
    const redlock = redis.redlock({ automaticExtensionThreshold: 200 })
    const boom = new Error('gave up')
    const pending = redlock.using(resource, 600, async (signal) => {
      for (const c of redis.inspect()) await c.del(`redlock:{${resource}}`)
      await aborted(signal)
      throw boom
    })
    await expect(pending).rejects.toBe(boom)
  })

  it('a lock kept to the end: using() resolves with the result and the keys are gone', async () => {
    const resource = fresh()
    expect(await redis.redlock().using(resource, 5_000, async () => 'ok')).toBe('ok')
    for (const c of redis.inspect()) expect(await c.exists(`redlock:{${resource}}`)).toBe(0)
  })
})
