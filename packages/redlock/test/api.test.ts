import { waitFor } from '@org/testkit'
import { describe, expect, it } from 'vitest'
import { Lock, LockError, LockLostError, Redlock, ResourceLockedError } from '../src/index.js'
import { fresh, onEvery, useRedis } from './helpers.js'

describe('the lock handle carries what a holder needs', () => {
  const redis = useRedis(3)

  it('resources, value, expiration, attempts and a bigint fencing token', async () => {
    const resources = [fresh('h1'), fresh('h2')]
    const before = Date.now()
    const lock = await redis.redlock().acquire(resources, 5_000)
    expect(lock).toBeInstanceOf(Lock)
    expect(lock.resources).toEqual(resources)
    expect(typeof lock.value).toBe('string')
    expect(lock.attempts).toBe(1)
    expect(typeof lock.fencingToken).toBe('bigint')
    expect(lock.expiration).toBeGreaterThan(before + 4_000)
    expect(lock.expiration).toBeLessThanOrEqual(Date.now() + 5_000)
    expect(lock.valid).toBe(true)
    await lock.release()
    expect(lock.valid).toBe(false)
  })

  it('await using releases the lock at the end of the block', async () => {
    const resource = fresh()
    const redlock = redis.redlock()
    {
      await using held = await redlock.acquire(resource)
      const key = `redlock:{${resource}}`
      await onEvery(redis.inspect(), async (c) => (await c.get(key)) === held.value, 'the key set on every instance')
    }
    await onEvery(redis.inspect(), async (c) => (await c.exists(`redlock:{${resource}}`)) === 0, 'the key deleted')
  })

  it('lock.extend and lock.release are the same as redlock.extend and redlock.release', async () => {
    const redlock = redis.redlock()
    const lock = await redlock.acquire(fresh(), 1_000)
    expect(await redlock.extend(lock, 20_000)).toBe(lock)
    expect(lock.remaining).toBeGreaterThan(10_000)
    expect(await lock.extend()).toBe(lock)
    expect((await redlock.release(lock)).held).toBe(true)
  })
})

describe('named resources carry defaults; others use the constructor defaults', () => {
  const redis = useRedis(3)

  it('exposes the declared resources read-only and uses their ttl when none is given', async () => {
    const redlock = redis.redlock({ ttl: 7_000, resources: { Resource_A: { ttl: 30_000 }, Resource_B: {} } })
    expect([...redlock.resources.keys()]).toEqual(['Resource_A', 'Resource_B'])
    expect(redlock.resources.get('Resource_A')).toEqual({ ttl: 30_000 })
    expect(redlock.resources.get('Resource_B')).toEqual({ ttl: 7_000 })
    expect(redlock.resources.has('Undeclared')).toBe(false)
    const a = await redlock.acquire('Resource_A')
    expect(a.ttl).toBe(30_000)
    const other = await redlock.acquire(fresh('undeclared'))
    expect(other.ttl).toBe(7_000)
    const both = await redlock.acquire(['Resource_B', fresh('x')], { retryCount: 0 })
    expect(both.ttl).toBe(7_000)
    await Promise.all([a.release(), other.release(), both.release()])
  })
})

describe('using() accepts its arguments in every documented shape', () => {
  const redis = useRedis(3)

  it('(resources, routine), (resources, ttl, routine), (resources, undefined, routine), (resources, options, routine), (resources, ttl, options, routine)', async () => {
    const redlock = redis.redlock({ resources: { Declared: { ttl: 4_000 } } })
    expect(await redlock.using('Declared', async (_s, lock) => lock.ttl)).toBe(4_000)
    expect(await redlock.using('Declared', 2_000, async (_s, lock) => lock.ttl)).toBe(2_000)
    expect(await redlock.using(['Declared'], undefined, async (_s, lock) => lock.ttl)).toBe(4_000)
    expect(await redlock.using('Declared', { maxExtensions: 1 }, async (_s, lock) => lock.ttl)).toBe(4_000)
    expect(await redlock.using('Declared', 3_000, { maxHoldMs: 10_000 }, (_s, lock) => lock.ttl)).toBe(3_000)
  })
})

describe('events report what happened', () => {
  const redis = useRedis(3)

  it('acquired, extended, released, and clientError for an instance that fails', async () => {
    // Clients that give up on a dead server at once, so its failure shows as an error rather than a timeout.
    const clients = redis.group.instances.map((i) => i.client({ maxRetriesPerRequest: 0 }))
    const redlock = new Redlock(clients, { requestTimeout: 2_000 })
    const seen: string[] = []
    const clientErrors: unknown[] = []
    redlock.on('acquired', () => seen.push('acquired'))
    redlock.on('extended', () => seen.push('extended'))
    redlock.on('released', (_lock, result) => seen.push(`released:${result.held}`))
    redlock.on('clientError', (err, client) => clientErrors.push([err, client]))
    const lock = await redlock.acquire(fresh(), 5_000)
    await lock.extend(5_000)
    await lock.release()
    expect(seen).toEqual(['acquired', 'extended', 'released:true'])
    await redis.group.instances[2]!.kill()
    const again = await redlock.acquire(fresh(), 5_000, { retryCount: 0 })
    await again.release()
    await waitFor(() => clientErrors.length > 0, { timeoutMs: 5_000, what: 'a clientError' })
    expect((clientErrors[0] as [Error, unknown])[1]).toBe(clients[2])
    await redlock.quit()
  })
})

describe('errors are typed', () => {
  it('ResourceLockedError and LockLostError are LockErrors', () => {
    expect(Object.getPrototypeOf(ResourceLockedError.prototype)).toBe(LockError.prototype)
    expect(Object.getPrototypeOf(LockLostError.prototype)).toBe(LockError.prototype)
    expect(typeof Redlock).toBe('function')
  })
})
