import { waitFor } from '@org/testkit'
import type { Redis, RedisOptions } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { Redlock } from '../src/index.js'
import { fresh, useRedis } from './helpers.js'

// Lock operations skip ioredis' generic command builder when nothing in the client's options would change the
// command; these are the options that do, and they must act exactly as on any other command of the client.
/** Waits until no instance has the key (a release settles at a quorum; the last instance follows). */
async function goneEverywhere(clients: Redis[], key: string): Promise<void> {
  await waitFor(async () => (await Promise.all(clients.map((c) => c.exists(key)))).every((n) => n === 0), {
    timeoutMs: 5_000,
  })
}

/** Waits until the client's server holds the key with the value (an acquire settles at a quorum: this one may follow). */
async function setOn(client: Redis, key: string, value: string): Promise<void> {
  await waitFor(async () => (await client.get(key)) === value, { timeoutMs: 5_000, what: `${key} set to the value` })
}

describe('client options that change how ioredis builds a command', () => {
  const redis = useRedis(3)

  async function lockWith(options: RedisOptions) {
    const clients = redis.group.instances.map((i) => i.client(options))
    const redlock = new Redlock(clients)
    // A first lock sends the scripts in full; the one returned is made of the usual EVALSHA calls.
    await (await redlock.acquire(fresh(), 10_000)).release()
    const resource = fresh()
    const lock = await redlock.acquire(resource, 10_000)
    return { clients, redlock, resource, lock }
  }

  it('a client keyPrefix prefixes the lock and fence keys, and release finds them', async () => {
    const { clients, redlock, resource, lock } = await lockWith({ keyPrefix: 'app:' })
    const [plain] = redis.inspect()
    await setOn(plain!, `app:redlock:{${resource}}`, lock.value)
    expect(await plain!.exists(`redlock:{${resource}}`)).toBe(0)
    const fences = await plain!.keys('app:redlock:fence:*')
    expect(fences.length).toBeGreaterThan(0)
    const result = await lock.release()
    expect(result.held).toBe(true)
    const all = redis.inspect()
    await goneEverywhere(all, `app:redlock:{${resource}}`)
    await redlock.quit()
    for (const c of [...clients, ...all, plain!]) c.disconnect()
  })

  it('works with friendly error stacks and auto-pipelining turned on', async () => {
    for (const options of [{ showFriendlyErrorStack: true }, { enableAutoPipelining: true }]) {
      const { clients, redlock, resource, lock } = await lockWith(options)
      const [plain] = redis.inspect()
      await setOn(plain!, `redlock:{${resource}}`, lock.value)
      expect((await lock.release()).held).toBe(true)
      const all = redis.inspect()
      await goneEverywhere(all, `redlock:{${resource}}`)
      await redlock.quit()
      for (const c of [...clients, ...all, plain!]) c.disconnect()
    }
  })
})
