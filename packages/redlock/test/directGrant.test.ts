import { sharedNow, waitFor } from '@org/testkit'
import type { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { redlockKeys } from '../src/index.js'
import { ACQUIRE } from '../src/scripts/acquire.js'
import { BATCH } from '../src/scripts/batch.js'
import { FAST_ACQUIRE } from '../src/scripts/fastAcquire.js'
import { fresh, hold, listen, onEvery, untilQueued, useRedis, waiterBehindHolder } from './helpers.js'
import { killContenders, startContender } from './processes.js'

const ports = (redis: ReturnType<typeof useRedis>) => redis.group.instances.map((i) => i.port).join(',')
const ATTEMPTS = new Set([ACQUIRE.script.sha, FAST_ACQUIRE.script.sha, BATCH.sha])
const SOURCES = new Set([ACQUIRE.script.source, FAST_ACQUIRE.script.source, BATCH.source])

/** Counts the acquire attempts (alone or in a batch) that reach these instances for the resource from now on. */
function countAttempts(clients: Redis[], resource: string) {
  return countCalls(clients, (args) => {
    const command = args[0]?.toLowerCase()
    const script = args[1] ?? ''
    const isAttempt = command === 'evalsha' ? ATTEMPTS.has(script) : command === 'eval' && SOURCES.has(script)
    return isAttempt && args.some((a) => a.includes(resource))
  })
}

/** Counts the commands that reach these instances from now on and match (MONITOR's view: command, then arguments). */
async function countCalls(clients: Redis[], matches: (args: string[]) => boolean) {
  let count = 0
  const monitors = await Promise.all(clients.map((c) => c.monitor()))
  for (const m of monitors) {
    m.on('monitor', (_time: string, args: string[]) => {
      if (matches(args)) count++
    })
  }
  return {
    count: () => count,
    stop: () => {
      for (const m of monitors) m.disconnect()
    },
  }
}

afterEach(() => killContenders())

const SLOW = { timeout: 60_000 }

describe('a lock handed over between processes is held without a claim', () => {
  const redis = useRedis(3)

  it('the waiter of another process holds it with no acquire attempt sent; its token is higher', SLOW, async () => {
    const resource = fresh('direct')
    const inspect = redis.inspect()
    const holder = await redis.redlock().acquire(resource, 20_000)
    // A retry delay far longer than the test: only a hand-over explains a prompt acquire.
    const c = await startContender(0, { PORTS: ports(redis), RESOURCES: resource, TIMES: 1, RETRY_DELAY: 10_000 })
    await untilQueued(inspect, resource, 1)
    await hold(400) // past a lease renewal: the waiter is settled and subscribed
    const seen = await countAttempts(inspect, resource)
    const released = sharedNow()
    await holder.release()
    await c.exited
    const [h] = c.holds()
    expect(h!.got - released).toBeLessThan(250)
    expect(h!.token > holder.fencingToken).toBe(true)
    await hold(50) // anything sent by then has reached MONITOR
    expect(seen.count()).toBe(0)
    seen.stop()
    for (const client of inspect) client.disconnect()
  })

  it('one instance paused during the hand-over: the two others grant it, still without a claim', SLOW, async () => {
    const resource = fresh('directpaused')
    const inspect = redis.inspect()
    const holder = await redis.redlock().acquire(resource, 20_000)
    const c = await startContender(0, { PORTS: ports(redis), RESOURCES: resource, TIMES: 1, RETRY_DELAY: 10_000 })
    await untilQueued(inspect, resource, 1)
    await hold(400)
    const seen = await countAttempts(inspect.slice(0, 2), resource)
    redis.group.instances[2]!.pause()
    try {
      const released = sharedNow()
      await holder.release()
      await waitFor(() => c.holds().length === 1, { timeoutMs: 5_000, what: 'the waiter holding' })
      const [h] = c.holds()
      expect(h!.got - released).toBeLessThan(250)
      expect(h!.token > holder.fencingToken).toBe(true)
    } finally {
      redis.group.instances[2]!.resume()
    }
    await c.exited
    await hold(50)
    expect(seen.count()).toBe(0)
    seen.stop()
    for (const client of inspect) client.disconnect()
  })

  it('the granted lock carries its grant value, is extended to its ttl while held, and releases', async () => {
    const resource = fresh('directlock')
    const { inspect, holder, waiting } = await waiterBehindHolder(redis, resource, 8_000)
    const seen = await countAttempts(inspect, resource)
    await holder.release()
    const lock = await waiting
    expect(lock.value).toMatch(/\/\d+$/) // a grant value, `<waiter id>/<n>`: no claim set a value of its own
    expect(lock.fencingToken > holder.fencingToken).toBe(true)
    // Valid at first for the hand-over ttl (1 s) at most, then for its own 8 s once the extension is in.
    await waitFor(() => lock.remaining > 5_000, { timeoutMs: 2_000, what: 'the extension' })
    const { lock: key } = redlockKeys(resource)
    // The extension settles at a quorum; the last instance may still be on its way.
    await onEvery(inspect, async (client) => (await client.pttl(key)) > 5_000, 'the keys extended')
    expect(seen.count()).toBe(0)
    await lock.release()
    await onEvery(inspect, async (client) => (await client.exists(key)) === 0, 'the keys released')
    seen.stop()
    for (const client of inspect) client.disconnect()
  })

  it('a granted lock released within a few ms is never extended: no extension on the hand-over path', async () => {
    const resource = fresh('directshort')
    const TTL = 7_777 // only an extension of the granted lock sends this ttl
    const { inspect, holder, waiting } = await waiterBehindHolder(redis, resource, TTL)
    const extensions = await countCalls(
      inspect,
      (args) => args.includes(String(TTL)) && args.some((a) => a.includes(resource)),
    )
    await holder.release()
    const lock = await waiting
    expect(lock.value).toMatch(/\/\d+$/)
    expect(lock.remaining).toBeLessThanOrEqual(1_000) // the hand-over ttl, not yet its own
    await hold(5)
    await lock.release()
    await hold(700) // past the moment an extension would have been sent
    expect(extensions.count()).toBe(0)
    extensions.stop()
    for (const client of inspect) client.disconnect()
  })

  it("a hand-over is announced on the waiter's inbox alone: other processes waiting for the lock hear nothing of it", async () => {
    const resource = fresh('directinbox')
    const { inspect, holder, waiting } = await waiterBehindHolder(redis, resource, 8_000)
    // What another process waiting for the lock hears (its channel), and what goes to any Redlock's inbox.
    const { onChannel, inInbox, drain } = await listen(inspect, resource)
    await holder.release()
    const lock = await waiting
    await drain() // every message published before has arrived
    const grant = lock.value
    expect(onChannel.filter((m) => m.startsWith('>'))).toEqual([])
    expect(inInbox.length).toBeGreaterThanOrEqual(2)
    for (const m of inInbox) expect(m.endsWith(` ${grant}`)).toBe(true)
    await lock.release()
    for (const client of inspect) client.disconnect()
  })

  it(
    'never overlap while the servers forget their scripts (SCRIPT FLUSH) between hand-overs; tokens rise',
    SLOW,
    async () => {
      const resource = fresh('directflush')
      const inspect = redis.inspect()
      // Four Redlocks with clients of their own: waiters of different "processes", served through the queue in Redis.
      const redlocks = Array.from({ length: 4 }, () => redis.redlock({ retryCount: -1, retryDelay: 200 }))
      const holds: { got: number; left: number; token: bigint; direct: boolean }[] = []
      let flushing = true
      const flusher = (async () => {
        while (flushing) {
          await Promise.all(inspect.map((c) => c.script('FLUSH')))
          await hold(15)
        }
      })()
      await Promise.all(
        redlocks.map(async (r) => {
          for (let i = 0; i < 15; i++) {
            const lock = await r.acquire(resource, 5_000)
            const got = performance.now()
            await hold(1)
            holds.push({ got, left: performance.now(), token: lock.fencingToken, direct: lock.value.includes('/') })
            await lock.release()
          }
        }),
      )
      flushing = false
      await flusher
      holds.sort((a, b) => a.got - b.got)
      let overlaps = 0
      for (let i = 1; i < holds.length; i++) {
        if (holds[i]!.got < holds[i - 1]!.left) overlaps++
        expect(holds[i]!.token > holds[i - 1]!.token).toBe(true)
      }
      expect(overlaps).toBe(0)
      expect(holds.length).toBe(60)
      // Most hand-overs between these Redlocks are direct grants (else this test would not exercise them).
      expect(holds.filter((h) => h.direct).length).toBeGreaterThan(10)
      for (const c of inspect) c.disconnect()
    },
  )
})
