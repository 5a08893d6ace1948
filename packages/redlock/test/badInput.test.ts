import type { Redis } from 'ioredis'
import { beforeAll, describe, expect, it } from 'vitest'
import { Redlock } from '../src/index.js'
import { useRedis } from './helpers.js'

describe('bad input is refused with a typed error naming the argument, before anything reaches Redis', () => {
  const redis = useRedis(1)
  let lazy: Redis
  let redlock: Redlock

  beforeAll(() => {
    // A lazy client connects on its first command: still 'wait' afterwards proves nothing was sent.
    lazy = redis.group.instances[0]!.client({ lazyConnect: true })
    redlock = new Redlock([lazy])
  })

  const nothingSent = () => expect(lazy.status).toBe('wait')

  it('constructor: no clients, a non-client, a duplicate client, bad settings', () => {
    expect(() => new Redlock([])).toThrow(RangeError)
    expect(() => new Redlock('redis://x' as never)).toThrow(/clients must be an array/)
    expect(() => new Redlock([{} as never])).toThrow(/clients\[0\]/)
    expect(() => new Redlock([lazy, lazy])).toThrow(/clients\[1\]/)
    expect(() => new Redlock([lazy], { retryCount: -2 })).toThrow(/retryCount/)
    expect(() => new Redlock([lazy], { retryDelay: -1 })).toThrow(/retryDelay/)
    expect(() => new Redlock([lazy], { retryJitter: -1 })).toThrow(/retryJitter/)
    expect(() => new Redlock([lazy], { driftFactor: -0.1 })).toThrow(/driftFactor/)
    expect(() => new Redlock([lazy], { automaticExtensionThreshold: -1 })).toThrow(/automaticExtensionThreshold/)
    expect(() => new Redlock([lazy], { ttl: 0 })).toThrow(RangeError)
    expect(() => new Redlock([lazy], { keyPrefix: 3 as never })).toThrow(/keyPrefix/)
    expect(() => new Redlock([lazy], { resources: { A: { ttl: 1.5 } } })).toThrow(/resources\.A\.ttl/)
    nothingSent()
  })

  it('acquire: empty, duplicate or non-string resources', async () => {
    await expect(redlock.acquire([], 1_000)).rejects.toThrow(RangeError)
    await expect(redlock.acquire('', 1_000)).rejects.toThrow(RangeError)
    await expect(redlock.acquire(['a', 'a'], 1_000)).rejects.toThrow(/duplicate/)
    await expect(redlock.acquire(['a', 1 as never], 1_000)).rejects.toThrow(/resources\[1\]/)
    await expect(redlock.acquire(42 as never, 1_000)).rejects.toThrow(TypeError)
    nothingSent()
  })

  it('acquire: ttl not a positive integer or above 2^31-1', async () => {
    for (const ttl of [0, -1, 1.5, 2 ** 31, Number.NaN]) {
      await expect(redlock.acquire('a', ttl)).rejects.toThrow(RangeError)
    }
    await expect(redlock.acquire('a', '100' as never)).rejects.toThrow(TypeError)
    await expect(redlock.acquire('a', 1_000, { timeout: -1 })).rejects.toThrow(/options\.timeout/)
    await expect(redlock.acquire('a', 1_000, { retryCount: -5 })).rejects.toThrow(/options\.retryCount/)
    await expect(redlock.acquire('a', 1_000, { signal: {} as never })).rejects.toThrow(/options\.signal/)
    nothingSent()
  })

  it('extend and release: a lock of another Redlock, or not a lock at all', async () => {
    const other = redis.redlock()
    const foreign = await other.acquire('foreign', 5_000)
    await expect(redlock.release(foreign)).rejects.toThrow(/another Redlock/)
    await expect(redlock.extend(foreign, 1_000)).rejects.toThrow(/another Redlock/)
    await expect(redlock.release({} as never)).rejects.toThrow(TypeError)
    await expect(other.extend(foreign, 0)).rejects.toThrow(RangeError)
    await foreign.release()
    nothingSent()
  })

  it('using: a missing routine or bad hold limits', async () => {
    await expect(redlock.using('a', 1_000 as never)).rejects.toThrow(/routine/)
    await expect(redlock.using('a', 1_000, { maxExtensions: -1 }, async () => 1)).rejects.toThrow(/maxExtensions/)
    await expect(redlock.using('a', 1_000, { maxHoldMs: 0 }, async () => 1)).rejects.toThrow(/maxHoldMs/)
    nothingSent()
  })
})
