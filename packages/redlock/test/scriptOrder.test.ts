import { defineScript, runScript } from '@org/redis-core'
import { waitFor } from '@org/testkit'
import type { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { ResourceLockedError } from '../src/index.js'
import { fresh, useRedis } from './helpers.js'

// A script this file alone uses, so no other call has sent it to the server before.
const SET_IT = defineScript({ name: 'setIt', source: `return redis.call('SET', KEYS[1], ARGV[1]) -- scriptOrder` })
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** A script call, then a plain SET of the same key issued before the script's answer: the SET must win. */
async function expectOrderKept(client: Redis, key: string): Promise<void> {
  const first = runScript(client, SET_IT, [key], ['script'])
  const second = client.set(key, 'later')
  await Promise.all([first, second])
  expect(await client.get(key)).toBe('later')
}

describe('lock operations keep the order of their connection', () => {
  const redis = useRedis(3)

  it('a command issued after a script runs after it, also when the server did not know the script', async () => {
    const [client] = redis.inspect()
    await client!.script('FLUSH')
    await expectOrderKept(client!, 'order-1')
    client!.disconnect()
  })

  it('keeps that order after the server restarted and lost its scripts', async () => {
    const [client] = redis.inspect()
    await runScript(client!, SET_IT, ['order-2'], ['before'])
    await redis.group.instances[0]!.restart()
    await waitFor(async () => (await client!.ping().catch(() => '')) === 'PONG', { timeoutMs: 10_000 })
    await expectOrderKept(client!, 'order-2')
    client!.disconnect()
  })

  it('every attempt of an acquire sets a value of its own, so a late undo cannot delete a later attempt’s lock', async () => {
    const resource = fresh()
    const [watcher] = redis.inspect()
    const monitor = await watcher!.monitor()
    const values = new Set<string>()
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (!args.some((a) => a.includes(resource))) return
      for (const a of args) if (UUID.test(a)) values.add(a)
    })
    const holder = await redis.redlock().acquire(resource, 10_000)
    const err = await redis
      .redlock({ retryCount: 2, retryDelay: 5, retryJitter: 0 })
      .acquire(resource, 10_000)
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ResourceLockedError)
    expect((err as ResourceLockedError).attempts).toBe(3)
    await holder.release()
    // The holder's value, then one per attempt (each undone): four distinct values reached this instance.
    await waitFor(() => values.size >= 4, { timeoutMs: 5_000 })
    expect(values.has(holder.value)).toBe(true)
    expect(values.size).toBe(4)
    monitor.disconnect()
    watcher!.disconnect()
  })
})
