import { type RedisGroup, startRedis, waitFor } from '@org/testkit'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll } from 'vitest'
import { type Lock, Redlock, type RedlockOptions, redlockKeys } from '../src/index.js'

/** A group of real Redis servers for one test file, and Redlocks built on them that are closed afterwards. */
export interface Fixture {
  group: RedisGroup
  /** A fresh Redlock with its own fresh clients (like another process). */
  redlock(options?: RedlockOptions): Redlock
  /** Fresh plain clients, one per instance, to look at what is in Redis. */
  inspect(): Redis[]
}

/** Starts `count` servers before the file's tests and stops them after. */
export function useRedis(count: number, persistence = false): Fixture {
  const made: Redlock[] = []
  const fixture = {
    group: undefined as unknown as RedisGroup,
    redlock(options: RedlockOptions = {}) {
      const r = new Redlock(fixture.group.clients(), options)
      made.push(r)
      return r
    },
    inspect() {
      return fixture.group.clients()
    },
  }
  beforeAll(async () => {
    fixture.group = await startRedis({ count, persistence })
  })
  afterAll(async () => {
    await Promise.all(made.map((r) => r.quit()))
    await fixture.group?.stop()
  })
  return fixture
}

/** Resolves after `ms` (only to hold a lock for a while inside a routine, never to wait for a condition). */
export function hold(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

let counter = 0
/** A resource name no other test uses. */
export function fresh(name = 'res'): string {
  counter++
  return `${name}-${process.pid}-${counter}`
}

/**
 * The lock value a key stores, without the waiter mark: a key somebody found locked carries its holder's value
 * followed by '+', so its release knows to announce itself.
 */
export function holderOf(stored: string | null): string | null {
  return stored?.endsWith('+') ? stored.slice(0, -1) : stored
}

/**
 * Waits until `check` holds on every client's server. An operation settles at a quorum: the last instance may still
 * be on its way, so what a test reads on all of them right after is waited for, within a bound.
 */
export async function onEvery(clients: Redis[], check: (c: Redis) => Promise<boolean>, what: string): Promise<void> {
  await Promise.all(clients.map((c) => waitFor(() => check(c), { timeoutMs: 5_000, what })))
}

/** Waits until the server's own clock (`TIME`, in ms) is past `ms`: leases are judged by it, not by this process'. */
export async function untilRedisPast(client: Redis, ms: number, what: string): Promise<void> {
  await waitFor(
    async () => {
      const [s, us] = await client.time()
      return Number(s) * 1000 + Math.floor(Number(us) / 1000) > ms
    },
    { timeoutMs: 5_000, what },
  )
}

/**
 * Cuts every pub/sub connection of the servers (the Redlocks' subscribers; ioredis reconnects them): pub/sub is at
 * most once, so what is published until they are back is lost to them.
 */
export async function cutSubscribers(clients: Redis[]): Promise<void> {
  for (const c of clients) await c.client('KILL', 'TYPE', 'pubsub')
}

/** Waits until every instance given has `count` waiters queued for the resource (its queue's size, within a bound). */
export async function untilQueued(clients: Redis[], resource: string, count: number): Promise<void> {
  const { queue } = redlockKeys(resource)
  await waitFor(async () => (await Promise.all(clients.map((c) => c.zcard(queue)))).every((n) => n >= count), {
    timeoutMs: 10_000,
    what: `${count} waiters queued for ${resource}`,
  })
}

/** What arrives on the lock's channel and on any Redlock's inbox, on every instance, from now on. */
export async function listen(clients: Redis[], resource: string) {
  const onChannel: string[] = []
  const inInbox: string[] = []
  for (const s of clients) {
    s.on('message', (_channel: string, message: string) => onChannel.push(message))
    s.on('pmessage', (_pattern: string, _channel: string, message: string) => inInbox.push(message))
    await s.subscribe(redlockKeys(resource).channel)
    await s.psubscribe('redlock:inbox:*')
  }
  // A PING on each subscriber connection is answered after every message published before it.
  const drain = () => Promise.all(clients.map((s) => s.ping()))
  return { onChannel, inInbox, drain }
}

/**
 * A lock held (20 s) by one Redlock and an acquire of it (`ttl`) by another, queued on every instance and past a lease
 * renewal (settled and subscribed): the setup of a hand-over between two "processes".
 */
export async function waiterBehindHolder(redis: Fixture, resource: string, ttl: number) {
  const inspect = redis.inspect()
  const holder = await redis.redlock().acquire(resource, 20_000)
  const waiting: Promise<Lock> = redis
    .redlock({ retryCount: -1, retryDelay: 10_000, retryJitter: 0 })
    .acquire(resource, ttl)
  await untilQueued(inspect, resource, 1)
  await hold(400)
  return { inspect, holder, waiting }
}
