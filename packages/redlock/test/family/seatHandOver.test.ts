import { runScript } from '@org/redis-core'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shareKeys } from '../../src/family/keys.js'
import { SHARE_ACQUIRE } from '../../src/scripts/shareAcquire.js'
import { SHARE_LEAVE } from '../../src/scripts/shareLeave.js'
import { SHARE_RELEASE } from '../../src/scripts/shareRelease.js'
import { SHARE_RENEW } from '../../src/scripts/shareRenew.js'
import { SHARE_UNDO } from '../../src/scripts/shareUndo.js'
import { fresh, untilRedisPast, useRedis } from '../helpers.js'

// The hand-over of a seat on one instance, script by script (see `scripts/shareHandOver.ts`): what a waiter's own
// later requests do to a seat handed to its grant value, in the orders the network may deliver them.
describe('a seat handed to a waiter on an instance is touched only by that waiter, as its grant value', () => {
  const redis = useRedis(1)
  let client: Redis
  let inbox: Redis
  const heard: string[] = []
  beforeAll(async () => {
    client = redis.inspect()[0]!
    inbox = redis.inspect()[0]!
    inbox.on('message', (_channel: string, message: string) => heard.push(message))
    await inbox.subscribe('inbox-w')
  })
  afterAll(() => {
    client.disconnect()
    inbox.disconnect()
  })

  /** A semaphore of one permit held by `H`, waiter `w` queued behind it (ticket 5, grant value `w/0`), then released. */
  async function handedToW() {
    const name = fresh('seat')
    const keys = shareKeys('redlock:', 'sem', name)
    const [h, , q, , , , , hs] = keys as [string, string, string, string, string, string, string, string]
    const acquire = (value: string, id: string, registration?: string, ticket = 0) =>
      runScript<number[]>(client, SHARE_ACQUIRE, keys, [
        'p',
        value,
        10_000,
        1,
        1_000,
        ticket,
        id,
        0,
        ...(registration ? [registration] : []),
      ])
    expect(await acquire('H', 'h')).toHaveLength(2) // granted
    expect(await acquire('A1', 'w', 'w/0 0 inbox-w')).toHaveLength(1) // refused, queued
    expect(await runScript(client, SHARE_RELEASE, keys, ['H', 'channel', 1, 'h'])).toBe(1)
    return { keys, h, q, hs, acquire }
  }

  it('the release hands the seat to the grant value, takes the waiter out of line and tells its inbox', async () => {
    const { h, q, hs } = await handedToW()
    expect(await client.zscore(h, 'w/0')).not.toBeNull()
    expect(await client.hget(hs, '0')).toBe('w/0')
    expect(await client.zscore(q, 'w')).toBeNull()
    await inbox.ping() // a PING on the subscriber is answered after every message published before it
    expect(heard.some((m) => /^>w \d+ w\/0 0$/.test(m))).toBe(true)
  })

  it('the undo of an earlier attempt of the waiter, landing after the hand-over, leaves the seat and the line alone', async () => {
    const { keys, h, q } = await handedToW()
    const removed = await runScript(client, SHARE_UNDO, keys, ['A1', 'channel', 'p', 'w', 5, 1_000, 1, 'w/0 0 inbox-w'])
    expect(removed).toBe(0)
    expect(await client.zscore(h, 'w/0')).not.toBeNull()
    expect(await client.zscore(q, 'w')).toBeNull() // a queued holder would count twice
  })

  it('a renewal after the hand-over does not queue the waiter again, and says it may go in', async () => {
    const { keys, q } = await handedToW()
    expect(await runScript(client, SHARE_RENEW, keys, ['p', 1, 'w', 5, 1_000, 'w/0 0 inbox-w'])).toBe(1)
    expect(await client.zscore(q, 'w')).toBeNull()
  })

  it('nobody else gets the seat meanwhile; the waiter’s next attempt takes it over under its own value', async () => {
    const { h, hs, acquire } = await handedToW()
    expect(await acquire('B1', 'v', 'v/0 0 inbox-v')).toHaveLength(1) // refused
    const [, seat] = await acquire('A2', 'w', 'w/1 0 inbox-w', 5)
    expect(seat).toBe(0)
    expect(await client.zscore(h, 'w/0')).toBeNull()
    expect(await client.zscore(h, 'A2')).not.toBeNull()
    expect(await client.hget(hs, '0')).toBe('A2')
  })

  it('a waiter killed while a seat was handed to it loses its registration with its lease, though the line stays busy', async () => {
    // Nothing of the killed waiter comes again. Before, its registration stayed in `qn` for as long as other waiters
    // kept the queue alive: it was out of line, so no lapsed lease removed it.
    const { keys } = await handedToW()
    const [, , , ql, qn] = keys as [string, string, string, string, string]
    const refused = await runScript<number[]>(client, SHARE_ACQUIRE, keys, [
      'p',
      'B1',
      10_000,
      1,
      1_000,
      0,
      'v',
      0,
      'v/0 0 inbox-v',
    ])
    expect(refused).toHaveLength(1) // v waits: the line stays busy
    expect(await client.hget(qn, '>w')).toBe('w/0 0 inbox-w')
    const lapses = Number(await client.zscore(ql, 'w'))
    await untilRedisPast(client, lapses, 'the lease of w to pass on the instance’s clock')
    await runScript(client, SHARE_RENEW, keys, ['p', 1, 'v', 6, 1_000, 'v/0 0 inbox-v'])
    expect(await client.hget(qn, '>w')).toBeNull()
    expect(await client.hget(qn, '>v')).toBe('v/0 0 inbox-v')
  })

  it('a waiter that renews while a seat is handed to it keeps its lease and its registration', async () => {
    const { keys } = await handedToW()
    const [, , , ql, qn] = keys as [string, string, string, string, string]
    const before = Number(await client.zscore(ql, 'w'))
    await untilRedisPast(client, before - 900, 'the instance’s clock to move on')
    expect(await runScript(client, SHARE_RENEW, keys, ['p', 1, 'w', 5, 1_000, 'w/0 0 inbox-w'])).toBe(1)
    expect(Number(await client.zscore(ql, 'w'))).toBeGreaterThan(before)
    expect(await client.hget(qn, '>w')).toBe('w/0 0 inbox-w')
  })

  it('a waiter that gives up gives the handed seat back, and it goes to the next waiter', async () => {
    const { keys, h, hs, acquire } = await handedToW()
    expect(await acquire('B1', 'v', 'v/0 0 inbox-v')).toHaveLength(1)
    await runScript(client, SHARE_LEAVE, keys, ['w', 'channel', 1])
    expect(await client.zscore(h, 'w/0')).toBeNull()
    expect(await client.hget(hs, '0')).toBe('v/0')
  })
})
