import { waitFor } from '@org/testkit'
import { describe, expect, it } from 'vitest'
import { ResourceLockedError } from '../src/index.js'
import { fresh, holderOf, useRedis } from './helpers.js'

describe('a multi-resource lock is all or nothing', () => {
  const redis = useRedis(3)

  it('when one resource is held elsewhere, fails with ResourceLockedError and leaves none of the others set', async () => {
    const [a, b, c] = [fresh('a'), fresh('b'), fresh('c')]
    const holder = await redis.redlock().acquire(b, 10_000)
    const err = await redis
      .redlock({ retryCount: 1, retryDelay: 10, retryJitter: 0 })
      .acquire([a, b, c], 10_000)
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ResourceLockedError)
    expect((err as ResourceLockedError).resources).toEqual([a, b, c])
    for (const client of redis.inspect()) {
      await waitFor(async () => (await client.exists(`redlock:{${a}}`, `redlock:{${c}}`)) === 0, {
        what: 'the partial lock undone',
      })
      expect(holderOf(await client.get(`redlock:{${b}}`))).toBe(holder.value)
    }
    await holder.release()
  })

  it('on an instance where one resource is taken, sets none of them; the quorum of the others still grants it', async () => {
    const [a, b] = [fresh('a'), fresh('b')]
    const [first, ...others] = redis.inspect()
    await first!.set(`redlock:{${b}}`, 'foreign', 'PX', 10_000)
    const lock = await redis.redlock().acquire([a, b], 10_000)
    expect(await first!.exists(`redlock:{${a}}`)).toBe(0)
    for (const client of others) {
      expect(await client.mget(`redlock:{${a}}`, `redlock:{${b}}`)).toEqual([lock.value, lock.value])
    }
    await lock.release()
    expect(holderOf(await first!.get(`redlock:{${b}}`))).toBe('foreign')
  })

  it('locks every resource together and releases them together', async () => {
    const resources = [fresh('x'), fresh('y'), fresh('z')]
    const lock = await redis.redlock().acquire(resources, 10_000)
    expect(lock.resources).toEqual(resources)
    for (const client of redis.inspect()) {
      expect(await client.mget(...resources.map((r) => `redlock:{${r}}`))).toEqual(resources.map(() => lock.value))
    }
    await lock.release()
    for (const client of redis.inspect()) {
      await waitFor(async () => (await client.exists(...resources.map((r) => `redlock:{${r}}`))) === 0, {
        what: 'gone',
      })
    }
  })
})
