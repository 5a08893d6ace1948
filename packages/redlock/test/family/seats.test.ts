import { freePort } from '@org/testkit'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { LockError, type Permit, Redlock } from '../../src/index.js'
import { fresh, useRedis } from '../helpers.js'

describe('a permit is a seat: no more than `permits` holders, even when each instance counts fewer', () => {
  const redis = useRedis(3)
  const made: Redlock[] = []
  const cut: Redis[] = []
  afterAll(async () => {
    await Promise.all(made.map((r) => r.quit()))
    for (const c of cut) c.disconnect()
  })

  /**
   * A Redlock that cannot reach instance `lost` (its client there points at a port nobody listens on): its requests
   * there fail at once, and none arrives late.
   */
  async function cutOff(lost: number): Promise<Redlock> {
    const nowhere = await freePort()
    const clients = redis.group.instances.map((instance, i) => {
      if (i !== lost) return instance.client()
      const client = new Redis(nowhere, { enableOfflineQueue: false, retryStrategy: () => null })
      client.on('error', () => {})
      cut.push(client)
      return client
    })
    const redlock = new Redlock(clients, { retryDelay: 20, retryJitter: 10 })
    made.push(redlock)
    return redlock
  }

  it('3 permits, each holder cut off from a different instance: a 4th is refused although #1 and #2 count 2', async () => {
    // A counting semaphore lets a 4th in here: A and B hold #0 and #1, C holds #0 and #2, so #1 and #2 each count only
    // 2 holders and D could take both. With seats: #1 has seats 0 and 1 taken, C holds seat 2 on #0 and #2, so the
    // seat still free on #1 is taken on #2: no seat is free on a quorum for D.
    const name = fresh('seats')
    const options = { timeout: 5_000 }
    const sem = async (lost: number) => (await cutOff(lost)).semaphore(name, { permits: 3 })
    const held: Permit[] = [
      await (await sem(2)).acquire(10_000, options),
      await (await sem(2)).acquire(10_000, options),
      await (await sem(1)).acquire(10_000, options),
    ]
    const fourth = await (await sem(0)).acquire(10_000, { timeout: 1_000 }).catch((e: unknown) => e)
    expect(fourth).toBeInstanceOf(LockError)
    // Both instances it reaches granted it by their count, each a different seat: only the seats kept it out.
    expect((fourth as LockError).answers.map((a) => a.status)).toEqual(['error', 'ok', 'ok'])
    expect(held.every((p) => p.valid)).toBe(true)
    await Promise.all(held.map((p) => p.release()))
    // Once they are gone, a fourth gets in at once.
    const after = await (await sem(0)).acquire(10_000, options)
    await after.release()
  })
})
