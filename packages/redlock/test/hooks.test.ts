import { describe, expect, it } from 'vitest'
import {
  type AcquireHookContext,
  type ExtendHookContext,
  type Lock,
  type ReleaseHookContext,
  ResourceLockedError,
} from '../src/index.js'
import { fresh, onEvery, useRedis } from './helpers.js'

describe('redlock.use(): hooks around acquire, extend and release', () => {
  const redis = useRedis(3)

  it('see each operation with its context and result, the first registered outermost; the remover stops them', async () => {
    const redlock = redis.redlock()
    const trail: string[] = []
    let acquired: AcquireHookContext | undefined
    let extended: ExtendHookContext | undefined
    let released: ReleaseHookContext | undefined
    const stopOuter = redlock.use({
      acquire: async (ctx, next) => {
        trail.push('outer acquire')
        acquired = ctx
        const lock = await next()
        trail.push(`outer got ${lock.fencingToken > 0n}`)
        return lock
      },
      extend: (ctx, next) => {
        extended = ctx
        return next()
      },
      release: async (ctx, next) => {
        released = ctx
        const result = await next()
        trail.push(`released ${result.held}`)
        return result
      },
    })
    const stopInner = redlock.use({
      acquire: (_ctx, next) => {
        trail.push('inner acquire')
        return next()
      },
    })
    const resource = fresh('hooked')
    const before = performance.now()
    const lock = await redlock.acquire(resource, 5_000)
    expect(acquired).toMatchObject({ resources: [resource], ttl: 5_000, waiting: 0 })
    expect(acquired!.startedAt).toBeGreaterThanOrEqual(before)
    await lock.extend(8_000)
    expect(extended).toMatchObject({ lock, ttl: 8_000 })
    await lock.release()
    expect(released?.lock).toBe(lock)
    expect(trail).toEqual(['outer acquire', 'inner acquire', 'outer got true', 'released true'])

    stopOuter()
    stopInner()
    trail.length = 0
    await (await redlock.acquire(fresh('plain'), 5_000)).release()
    expect(trail).toEqual([])
  })

  it('an acquire hook that throws refuses the acquire before anything is sent', async () => {
    const redlock = redis.redlock()
    redlock.use({
      acquire: () => {
        throw new Error('not during maintenance')
      },
    })
    const resource = fresh('refused')
    await expect(redlock.acquire(resource, 5_000)).rejects.toThrow('not during maintenance')
    await expect(redlock.using(resource, async () => 1)).rejects.toThrow('not during maintenance')
    for (const c of redis.inspect()) expect(await c.exists(`redlock:{${resource}}`)).toBe(0)
  })

  it('using() goes through them: its acquire, its automatic extensions and its release', async () => {
    const redlock = redis.redlock({ automaticExtensionThreshold: 150 })
    const seen: string[] = []
    redlock.use({
      acquire: (_ctx, next) => {
        seen.push('acquire')
        return next()
      },
      extend: (_ctx, next) => {
        seen.push('extend')
        return next()
      },
      release: (_ctx, next) => {
        seen.push('release')
        return next()
      },
    })
    const resource = fresh('using')
    await redlock.using(resource, 400, async (signal) => {
      // Held past the first automatic extension (due 150 ms before the 400 ms ttl ends).
      await new Promise((resolve) => setTimeout(resolve, 500))
      expect(signal.aborted).toBe(false)
    })
    expect(seen[0]).toBe('acquire')
    expect(seen).toContain('extend')
    expect(seen.at(-1)).toBe('release')
    await onEvery(redis.inspect(), async (c) => (await c.exists(`redlock:{${resource}}`)) === 0, 'released')
  })

  it("an acquire's context counts the acquires of this Redlock already waiting for its resources", async () => {
    const redlock = redis.redlock({ retryDelay: 20, retryJitter: 0 })
    const resource = fresh('waiting')
    const waitingSeen: number[] = []
    const holder = await redlock.acquire(resource, 10_000)
    redlock.use({
      acquire: (ctx, next) => {
        waitingSeen.push(ctx.waiting)
        return next()
      },
    })
    const waiters: Promise<Lock>[] = []
    for (let i = 0; i < 3; i++) {
      waiters.push(redlock.acquire(resource, 10_000, { timeout: 10_000 }))
      // The next acquire starts once this one is in line.
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(waitingSeen).toEqual([0, 1, 2])
    await holder.release()
    for (const w of waiters) await (await w).release()
  })

  it('a failed acquire reaches the hook as the rejection, with its reason', async () => {
    const redlock = redis.redlock()
    const resource = fresh('failing')
    const holder = await redis.redlock().acquire(resource, 10_000)
    let error: unknown
    redlock.use({
      acquire: async (_ctx, next) => {
        try {
          return await next()
        } catch (err) {
          error = err
          throw err
        }
      },
    })
    await expect(redlock.acquire(resource, 5_000, { retryCount: 0 })).rejects.toBeInstanceOf(ResourceLockedError)
    expect(error).toMatchObject({ reason: 'locked' })
    await holder.release()
  })

  it('refuses hooks that are not functions, naming the one that is wrong', () => {
    const redlock = redis.redlock()
    expect(() => redlock.use({ acquire: 'no' as never })).toThrow(/hooks.acquire must be a function/)
    expect(() => redlock.use(null as never)).toThrow(TypeError)
    expect(() => redlock.use({})).toThrow(/at least one/)
  })
})
