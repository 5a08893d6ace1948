import { waitFor } from '@org/testkit'
import { useRedis } from '@org/testkit/vitest'
import { describe, expect, it } from 'vitest'
import { Registry } from '../src/index.js'
import { FAST, recorder, scriptCalls } from './helpers.js'

const kit = useRedis()

// With resyncs this rare, anything heard within a test came by pub/sub (or by the expiry sweep).
const NO_RESYNC = { heartbeatMs: 200, ttlMs: 1_000, resyncMs: 600_000 }

describe('a watch hears graceful exits at once, by pub/sub', () => {
  it('deregister() reaches the watcher as removed with reason "deregistered"', async () => {
    const watcher = new Registry(kit.redis, { namespace: 'w1', ...NO_RESYNC })
    const provider = new Registry(kit.redis, { namespace: 'w1', ...NO_RESYNC })
    await provider.registerService({ name: 's' })
    const rec = recorder()
    const watch = watcher.watch('s', rec.listener)
    await watch.ready
    const handle = await provider.registerProvider('s', { id: 'p', weight: 3, metadata: { a: 1 } })
    await waitFor(() => rec.ids().includes('p'), { what: 'added by pub/sub' })
    expect(rec.heard.at(-1)!.change).toEqual({
      added: [{ id: 'p', service: 's', weight: 3, metadata: { a: 1 } }],
      removed: [],
      updated: [],
    })
    await handle.deregister()
    await waitFor(() => rec.heard.length === 2, { what: 'removed by pub/sub' })
    expect(rec.heard.at(-1)!.providers).toEqual([])
    expect(rec.heard.at(-1)!.change.removed).toEqual([
      { id: 'p', service: 's', weight: 3, metadata: { a: 1 }, reason: 'deregistered' },
    ])
    await Promise.all([watcher.close(), provider.close()])
  })

  it("registry.close() reaches the watcher for each of the registry's providers", async () => {
    const watcher = new Registry(kit.redis, { namespace: 'w2', ...NO_RESYNC })
    const provider = new Registry(kit.redis, { namespace: 'w2', ...NO_RESYNC })
    await provider.registerService({ name: 's' })
    await provider.registerProvider('s', { id: 'a' })
    await provider.registerProvider('s', { id: 'b' })
    const rec = recorder()
    const watch = watcher.watch('s', rec.listener)
    await watch.ready
    expect(rec.ids()).toEqual(['a', 'b'])
    await provider.close()
    await waitFor(() => rec.ids().length === 0, { what: 'both removals' })
    const reasons = rec.heard.slice(1).flatMap((h) => h.change.removed.map((r) => [r.id, r.reason]))
    expect(reasons.sort()).toEqual([
      ['a', 'deregistered'],
      ['b', 'deregistered'],
    ])
    await watcher.close()
  })

  it('update() reaches the watcher as updated', async () => {
    const registry = new Registry(kit.redis, { namespace: 'w3', ...NO_RESYNC })
    await registry.registerService({ name: 's' })
    const handle = await registry.registerProvider('s', { id: 'p', weight: 100 })
    const rec = recorder()
    await registry.watch('s', rec.listener).ready
    await handle.update({ weight: 50, metadata: { draining: true } })
    await waitFor(() => rec.heard.length === 2, { what: 'the update' })
    expect(rec.heard.at(-1)!.change).toEqual({
      added: [],
      removed: [],
      updated: [{ id: 'p', service: 's', weight: 50, metadata: { draining: true } }],
    })
    await registry.close()
  })
})

describe('a watch starts from the current state and only reports real changes', () => {
  it('the listener first hears the providers already there, as added', async () => {
    const registry = new Registry(kit.redis, { namespace: 'w4', ...FAST })
    await registry.registerService({ name: 's' })
    await registry.registerProvider('s', { id: 'x' })
    const rec = recorder()
    const watch = registry.watch('s', rec.listener)
    await watch.ready
    expect(rec.heard).toHaveLength(1)
    expect(rec.heard[0]!.change.added.map((p) => p.id)).toEqual(['x'])
    expect(watch.providers.map((p) => p.id)).toEqual(['x'])
    await registry.close()
  })

  it('the listener never hears the same state twice in a row, through resyncs and repeated events', async () => {
    const registry = new Registry(kit.redis, { namespace: 'w5', heartbeatMs: 100, ttlMs: 500, resyncMs: 100 })
    await registry.registerService({ name: 's' })
    const rec = recorder()
    const watch = registry.watch('s', rec.listener)
    await watch.ready
    const a = await registry.registerProvider('s', { id: 'a' })
    const b = await registry.registerProvider('s', { id: 'b' })
    await a.update({ weight: 1 })
    await a.update({ weight: 1 }) // same record again: no change to report
    await b.deregister()
    // A duplicate of an event already applied, as a reconnecting publisher might send.
    await kit.redis.publish('w5:{s}:events', JSON.stringify({ type: 'added', providers: [a.info] }))
    // Foreign or broken messages on the channel are ignored.
    await kit.redis.publish('w5:{s}:events', 'not json')
    await kit.redis.publish('w5:{s}:events', JSON.stringify({ type: 'added', providers: [{ weight: 1 }] }))
    await waitFor(() => rec.ids().join() === 'a' && rec.heard.length >= 4, { what: 'the sequence' })
    // Several resyncs (every 100 ms) go by; none of them may repeat a state.
    const settled = rec.heard.length
    const before = await scriptCalls(kit.redis)
    await waitFor(async () => (await scriptCalls(kit.redis)) >= before + 6, { what: 'six more resyncs' })
    expect(rec.heard.length).toBe(settled)
    const states = rec.heard.map((h) => JSON.stringify(h.providers))
    for (let i = 1; i < states.length; i++) expect(states[i]).not.toBe(states[i - 1])
    for (const h of rec.heard) {
      expect(h.change.added.length + h.change.removed.length + h.change.updated.length).toBeGreaterThan(0)
    }
    await watch.close()
    await registry.close()
  })

  it('after close() the listener is not called any more', async () => {
    const registry = new Registry(kit.redis, { namespace: 'w6', ...NO_RESYNC })
    await registry.registerService({ name: 's' })
    const rec = recorder()
    const watch = registry.watch('s', rec.listener)
    await watch.ready
    await watch.close()
    await registry.registerProvider('s', { id: 'late' })
    const other = recorder()
    await registry.watch('s', other.listener).ready
    expect(other.ids()).toEqual(['late'])
    expect(rec.heard).toHaveLength(0)
    await registry.close()
  })

  it('a throwing listener is reported to onError and the watch goes on', async () => {
    const errors: Error[] = []
    const registry = new Registry(kit.redis, { namespace: 'w7', ...NO_RESYNC, onError: (e) => errors.push(e) })
    await registry.registerService({ name: 's' })
    let calls = 0
    const watch = registry.watch('s', () => {
      calls++
      throw new Error('listener bug')
    })
    await watch.ready
    await registry.registerProvider('s', { id: 'a' })
    await registry.registerProvider('s', { id: 'b' })
    await waitFor(() => calls === 2, { what: 'two calls' })
    expect(errors.map((e) => e.message)).toEqual(['listener bug', 'listener bug'])
    await registry.close()
  })
})

describe('a watch heals by itself after missed messages', () => {
  it('unsubscribed behind its back, it catches up by resync and subscribes again', async () => {
    const subscriber = kit.group.instances[0]!.client()
    const watcher = new Registry(kit.redis, { namespace: 'heal', ...FAST, subscriber })
    const provider = new Registry(kit.redis, { namespace: 'heal', ...FAST })
    await provider.registerService({ name: 's' })
    const gone = await provider.registerProvider('s', { id: 'gone' })
    const rec = recorder()
    const watch = watcher.watch('s', rec.listener)
    await watch.ready
    expect(rec.ids()).toEqual(['gone'])

    await subscriber.unsubscribe('heal:{s}:events')
    expect((await kit.redis.pubsub('NUMSUB', 'heal:{s}:events'))[1]).toBe(0)
    await provider.registerProvider('s', { id: 'new' }) // its "added" is lost
    await gone.deregister() // and so is this "removed"

    await waitFor(() => rec.ids().join() === 'new', { timeoutMs: 3 * FAST.resyncMs + 2_000, what: 'the resync' })
    const healed = rec.heard.at(-1)!.change
    expect(healed.added.map((p) => p.id)).toEqual(['new'])
    // Nobody told it why "gone" left: a resync can only say it vanished.
    expect(healed.removed.map((p) => [p.id, p.reason])).toEqual([['gone', 'vanished']])

    // The subscription is back, so the next graceful exit is heard with its reason again.
    await waitFor(async () => (await kit.redis.pubsub('NUMSUB', 'heal:{s}:events'))[1] === 1, { what: 'resubscribed' })
    await provider.close()
    await waitFor(() => rec.ids().length === 0, { what: 'the deregistration' })
    expect(rec.heard.at(-1)!.change.removed.map((p) => p.reason)).toEqual(['deregistered'])
    await watcher.close()
  })

  it('a provider written to Redis without any event is found by the periodic resync', async () => {
    const watcher = new Registry(kit.redis, { namespace: 'heal2', ...FAST })
    const rec = recorder()
    await watcher.watch('s', rec.listener).ready
    const record = JSON.stringify({ id: 'silent', service: 's', weight: 1, metadata: {} })
    const [sec] = await kit.redis.time()
    await kit.redis
      .multi()
      .zadd('heal2:{s}:alive', Number(sec) * 1000 + 60_000, 'silent')
      .hset('heal2:{s}:providers', 'silent', record)
      .hset('heal2:{s}:owners', 'silent', 'someone')
      .exec()
    await waitFor(() => rec.ids().includes('silent'), { timeoutMs: 3 * FAST.resyncMs + 2_000, what: 'the resync' })
    await watcher.close()
  })
})
