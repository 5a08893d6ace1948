import { describe, expect, it } from 'vitest'
import type { Permit, ReadLock, WriteLock } from '../../src/index.js'
import { fresh, useRedis } from '../helpers.js'

describe('bad input is refused with a typed error before Redis is touched', () => {
  const redis = useRedis(3)

  it('semaphore permits must be an integer >= 1; ttls positive integers; names non-empty strings', () => {
    const redlock = redis.redlock()
    expect(() => redlock.semaphore('s', { permits: 0 })).toThrow(RangeError)
    expect(() => redlock.semaphore('s', { permits: -1 })).toThrow(RangeError)
    expect(() => redlock.semaphore('s', { permits: 1.5 })).toThrow(RangeError)
    expect(() => redlock.semaphore('s', { permits: Number.NaN })).toThrow(RangeError)
    expect(() => redlock.semaphore('s', { permits: '2' as unknown as number })).toThrow(TypeError)
    expect(() => redlock.semaphore('s', undefined as unknown as { permits: number })).toThrow(TypeError)
    expect(() => redlock.semaphore('s', { permits: 2, ttl: 0 })).toThrow(RangeError)
    expect(() => redlock.readWrite('')).toThrow(RangeError)
    expect(() => redlock.readWrite(42 as unknown as string)).toThrow(TypeError)
    expect(() => redlock.readWrite('d', { ttl: -5 })).toThrow(RangeError)
  })

  it('bad ttls, options and routines reject, and nothing is written', async () => {
    const redlock = redis.redlock()
    const name = fresh('bad')
    const rw = redlock.readWrite(name)
    const sem = redlock.semaphore(name, { permits: 2 })
    await expect(rw.read(0)).rejects.toThrow(RangeError)
    await expect(rw.write(1.5)).rejects.toThrow(RangeError)
    await expect(sem.acquire(2 ** 31)).rejects.toThrow(RangeError)
    await expect(sem.acquire({ timeout: -1 })).rejects.toThrow(RangeError)
    await expect(rw.read({ signal: 'no' as unknown as AbortSignal })).rejects.toThrow(TypeError)
    await expect(redlock.usingRead(name, 1_000, 'no' as never)).rejects.toThrow(TypeError)
    await expect(sem.using(5 as never)).rejects.toThrow(TypeError)
    await expect(redlock.inspect('')).rejects.toThrow(RangeError)
    const [client] = redis.inspect()
    expect(await client!.keys(`*${name}*`)).toEqual([])
    client!.disconnect()
  })

  it('mixing handles is a TypeError: a read hold into a write release, a permit into a lock, across names', async () => {
    const redlock = redis.redlock()
    const other = redis.redlock()
    const name = fresh('mix')
    const rw = redlock.readWrite(name)
    const sem = redlock.semaphore(name, { permits: 1 })
    const r = await rw.read(5_000)
    const p = await sem.acquire(5_000)
    await expect(rw.releaseWrite(r as unknown as WriteLock)).rejects.toThrow(TypeError)
    await expect(rw.release(p as unknown as ReadLock)).rejects.toThrow(TypeError)
    await expect(sem.release(r as unknown as Permit)).rejects.toThrow(TypeError)
    await expect(redlock.readWrite(fresh('elsewhere')).release(r)).rejects.toThrow(TypeError)
    await expect(other.readWrite(name).release(r)).rejects.toThrow(/another/)
    await expect(redlock.release(p as never)).rejects.toThrow(TypeError)
    await expect(sem.extend(r as unknown as Permit, 1_000)).rejects.toThrow(TypeError)
    expect(r.valid && p.valid).toBe(true) // nothing was released by the refused calls
    await rw.releaseRead(r)
    await sem.release(p)
  })
})
