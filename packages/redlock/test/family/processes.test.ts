import { sharedNow, waitFor } from '@org/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { fresh, useRedis } from '../helpers.js'
import {
  concurrency,
  killShareContenders,
  runTogether,
  type ShareContender,
  type ShareHold,
  startShareContender,
} from './processes.js'

const ports = (redis: ReturnType<typeof useRedis>) => redis.group.instances.map((i) => i.port).join(',')
const allHolds = (contenders: ShareContender[]): ShareHold[] => contenders.flatMap((c) => c.holds())
const done = (contenders: ShareContender[]) =>
  waitFor(() => contenders.every((c) => c.messages.some((m) => m.type === 'done')), {
    timeoutMs: 30_000,
    what: 'every contender done',
  })

afterEach(() => killShareContenders())

// Each test starts fresh Node processes (a second or more each on a loaded machine).
const SLOW = { timeout: 90_000 }

describe('between processes, a writer never overlaps a reader or another writer', () => {
  const redis = useRedis(3)

  it('2 writer and 2 reader processes x 2 workers: no overlap on the shared clock; tokens rise', SLOW, async () => {
    const name = fresh('rw-procs')
    const base = { PORTS: ports(redis), NAME: name, WORKERS: 2, DURATION_MS: 2_000, HOLD_MS: 2, RETRY_DELAY: 50 }
    const contenders = await runTogether([
      { ...base, MODE: 'write' },
      { ...base, MODE: 'write' },
      { ...base, MODE: 'read' },
      { ...base, MODE: 'read' },
    ])
    await done(contenders)
    const holds = allHolds(contenders)
    const { writerOverlaps, most } = concurrency(holds)
    expect(writerOverlaps).toEqual([])
    expect(most).toBeGreaterThan(1) // readers did hold together
    expect(holds.filter((h) => h.mode === 'write').length).toBeGreaterThan(5)
    expect(holds.filter((h) => h.mode === 'read').length).toBeGreaterThan(5)
    for (const c of contenders) expect(c.failures()).toEqual([])
    // Every token is distinct; a hold that began after another ended has a higher token.
    expect(new Set(holds.map((h) => h.token)).size).toBe(holds.length)
    const sorted = [...holds].sort((a, b) => a.got - b.got)
    for (const later of sorted) {
      for (const earlier of sorted) {
        if (earlier.released < later.got && earlier.mode !== later.mode) {
          expect(later.token > earlier.token).toBe(true)
        }
      }
    }
  })

  it('a writer is not starved by a steady stream of overlapping readers', SLOW, async () => {
    const name = fresh('rw-starve')
    const base = { PORTS: ports(redis), NAME: name, DURATION_MS: 3_000, RETRY_DELAY: 50 }
    // Readers always overlap each other: without writer priority there would never be a moment with no reader.
    const readers = await runTogether(
      [0, 1, 2].map(() => ({ ...base, MODE: 'read', WORKERS: 2, HOLD_MS: 20, PAUSE_MS: 0 })),
    )
    await waitFor(() => readers.every((c) => c.holds().length > 2), { what: 'readers reading', timeoutMs: 10_000 })
    const writer = await startShareContender(9, { ...base, MODE: 'write', TIMES: 3, TIMEOUT_MS: 5_000, HOLD_MS: 5 })
    await waitFor(() => writer.messages.some((m) => m.type === 'done'), { timeoutMs: 20_000, what: 'the writer' })
    await done(readers)
    const writes = writer.holds()
    expect(writer.failures()).toEqual([])
    expect(writes).toHaveLength(3)
    for (const w of writes) expect(w.got - w.asked).toBeLessThan(2_000)
    expect(concurrency([...allHolds(readers), ...writes]).writerOverlaps).toEqual([])
  })
})

describe('between processes, a semaphore never has more than `permits` holders', () => {
  const redis = useRedis(3)

  it('4 processes x 4 workers, 3 permits: never more than 3 inside; all served; tokens distinct', SLOW, async () => {
    const name = fresh('sem-procs')
    const env = { PORTS: ports(redis), NAME: name, MODE: 'permit', PERMITS: 3, WORKERS: 4, DURATION_MS: 2_000 }
    const contenders = await runTogether([0, 1, 2, 3].map(() => ({ ...env, HOLD_MS: 2, RETRY_DELAY: 50 })))
    await done(contenders)
    const holds = allHolds(contenders)
    expect(concurrency(holds).most).toBeLessThanOrEqual(3)
    expect(concurrency(holds).most).toBeGreaterThan(1)
    for (const c of contenders) {
      expect(c.failures()).toEqual([])
      expect(c.holds().length).toBeGreaterThan(5)
    }
    expect(new Set(holds.map((h) => h.token)).size).toBe(holds.length)
  })

  it('a holder SIGKILLed frees its permit by itself within its ttl', SLOW, async () => {
    const name = fresh('sem-kill')
    const ttl = 1_000
    const env = { PORTS: ports(redis), NAME: name, MODE: 'permit', PERMITS: 1, TTL_MS: ttl, HOLD_MS: 60_000 }
    const holder = await startShareContender(0, env)
    await waitFor(() => holder.messages.some((m) => m.type === 'holding'), { what: 'the holder holding' })
    const sem = redis.redlock({ retryDelay: 50, retryJitter: 0 }).semaphore(name, { permits: 1 })
    holder.child.kill('SIGKILL')
    const killed = sharedNow()
    const permit = await sem.acquire(5_000, { timeout: 5_000 })
    // Its ttl, plus a retry delay and a round trip: no cleanup by anybody was needed.
    expect(sharedNow() - killed).toBeLessThan(ttl + 300)
    await permit.release()
  })

  it('a writer SIGKILLed frees the read-write lock by itself within its ttl', SLOW, async () => {
    const name = fresh('rw-kill')
    const ttl = 1_000
    const env = { PORTS: ports(redis), NAME: name, MODE: 'write', TTL_MS: ttl, HOLD_MS: 60_000 }
    const holder = await startShareContender(0, env)
    await waitFor(() => holder.messages.some((m) => m.type === 'holding'), { what: 'the writer holding' })
    const rw = redis.redlock({ retryDelay: 50, retryJitter: 0 }).readWrite(name)
    holder.child.kill('SIGKILL')
    const killed = sharedNow()
    const read = await rw.read(5_000, { timeout: 5_000 })
    expect(sharedNow() - killed).toBeLessThan(ttl + 300)
    await read.release()
  })
})

describe('with a minority of instances paused or killed, the limits still hold', () => {
  const redis = useRedis(3)

  it(
    'one instance paused, then killed, while 4 processes contend for 2 permits and a read-write lock',
    SLOW,
    async () => {
      const sem = fresh('sem-fault')
      const rw = fresh('rw-fault')
      const base = { PORTS: ports(redis), DURATION_MS: 3_000, HOLD_MS: 2, RETRY_DELAY: 50, TTL_MS: 2_000 }
      const contenders = await runTogether([
        { ...base, NAME: sem, MODE: 'permit', PERMITS: 2, WORKERS: 3 },
        { ...base, NAME: sem, MODE: 'permit', PERMITS: 2, WORKERS: 3 },
        { ...base, NAME: rw, MODE: 'write', WORKERS: 2 },
        { ...base, NAME: rw, MODE: 'read', WORKERS: 2 },
      ])
      const victim = redis.group.instances[2]!
      const count = () => allHolds(contenders).length
      await waitFor(() => count() > 20, { what: 'holds before the pause', timeoutMs: 10_000 })
      victim.pause()
      const paused = count()
      await waitFor(() => count() > paused + 20, { what: 'holds while paused', timeoutMs: 10_000 })
      await victim.kill()
      const killed = count()
      await waitFor(() => count() > killed + 20, { what: 'holds after the kill', timeoutMs: 10_000 })
      await done(contenders)
      const semHolds = allHolds(contenders.slice(0, 2))
      const rwHolds = allHolds(contenders.slice(2))
      expect(concurrency(semHolds).most).toBeLessThanOrEqual(2)
      expect(concurrency(rwHolds).writerOverlaps).toEqual([])
      for (const c of contenders) expect(c.failures()).toEqual([])
    },
  )
})
