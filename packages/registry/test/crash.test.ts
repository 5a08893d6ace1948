import { waitFor } from '@org/testkit'
import { useRedis } from '@org/testkit/vitest'
import { describe, expect, it } from 'vitest'
import { ProviderLostError, Registry } from '../src/index.js'
import { FAST, killHard, recorder, spawnProvider } from './helpers.js'

const kit = useRedis()

// Slack for a loaded CI machine on top of the promised ttlMs + heartbeatMs: timers and child processes run late.
const CI_SLACK_MS = 1_500

describe('a crashed provider is detected within ttlMs + heartbeatMs', () => {
  it('a provider SIGKILLed in another process leaves listProviders and every watcher hears "expired"', async () => {
    const registry = new Registry(kit.redis, { namespace: 'crash', ...FAST })
    await registry.registerService({ name: 'test_service' })
    const rec = recorder()
    const watch = registry.watch('test_service', rec.listener)
    const child = await spawnProvider(kit.group.instances[0]!.port, 'test_service', 'doomed', {
      ...FAST,
      namespace: 'crash',
    })
    await waitFor(() => rec.ids().includes('doomed'), { timeoutMs: 5_000, what: 'the watcher to see the child' })
    const seen = rec.heard.at(-1)!.providers.find((p) => p.id === 'doomed')!
    expect(seen).toMatchObject({ weight: 7, metadata: { pid: child.pid } })

    await killHard(child)
    const killedAt = performance.now()
    await waitFor(() => !rec.ids().includes('doomed'), {
      timeoutMs: FAST.ttlMs + FAST.heartbeatMs + CI_SLACK_MS,
      what: 'the watcher to hear of the crash',
    })
    const removal = rec.heard.at(-1)!
    expect(removal.at - killedAt).toBeLessThan(FAST.ttlMs + FAST.heartbeatMs + CI_SLACK_MS)
    expect(removal.change.removed).toEqual([
      { id: 'doomed', service: 'test_service', weight: 7, metadata: { pid: child.pid }, reason: 'expired' },
    ])
    expect(await registry.listProviders('test_service')).toEqual([])
    await watch.close()
    await registry.close()
  })

  it('with no watcher at all, the next reader removes the expired provider atomically', async () => {
    const registry = new Registry(kit.redis, { namespace: 'crash2', ...FAST })
    await registry.registerService({ name: 's' })
    const child = await spawnProvider(kit.group.instances[0]!.port, 's', 'doomed', { ...FAST, namespace: 'crash2' })
    expect((await registry.listProviders('s')).map((p) => p.id)).toEqual(['doomed'])
    await killHard(child)
    await waitFor(async () => (await registry.listProviders('s')).length === 0, {
      timeoutMs: FAST.ttlMs + FAST.heartbeatMs + CI_SLACK_MS,
      what: 'the crashed provider to expire',
    })
    // The reader that noticed removed every trace of it.
    expect(await kit.redis.zcard('crash2:{s}:alive')).toBe(0)
    expect(await kit.redis.hlen('crash2:{s}:providers')).toBe(0)
    expect(await kit.redis.hlen('crash2:{s}:owners')).toBe(0)
    await registry.close()
  })

  it('a live provider in another process is never judged dead while it heartbeats', async () => {
    // A longer ttl than elsewhere: a starved CI machine may delay one heartbeat, which is not what this test is about.
    const slow = { heartbeatMs: 200, ttlMs: 1_500 }
    const registry = new Registry(kit.redis, { namespace: 'crash3', ...slow })
    await registry.registerService({ name: 's' })
    const rec = recorder()
    const watch = registry.watch('s', rec.listener)
    const child = await spawnProvider(kit.group.instances[0]!.port, 's', 'alive', { ...slow, namespace: 'crash3' })
    await waitFor(() => rec.ids().includes('alive'), { what: 'the watcher to see the child' })
    // Two ttls of reads and sweeps: without its heartbeats it would have expired twice over.
    const until = performance.now() + 2 * slow.ttlMs
    while (performance.now() < until) {
      expect((await registry.listProviders('s')).map((p) => p.id)).toEqual(['alive'])
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(rec.heard).toHaveLength(1)
    await killHard(child)
    await watch.close()
    await registry.close()
  })
})

describe('a provider judged dead while it was only paused comes back by itself, unless its id was taken', () => {
  it('a SIGSTOPped provider expires, and re-appears for watchers once it is resumed', async () => {
    const registry = new Registry(kit.redis, { namespace: 'pause', ...FAST })
    await registry.registerService({ name: 's' })
    const rec = recorder()
    const watch = registry.watch('s', rec.listener)
    const child = await spawnProvider(kit.group.instances[0]!.port, 's', 'sleepy', { ...FAST, namespace: 'pause' })
    await waitFor(() => rec.ids().includes('sleepy'), { timeoutMs: 5_000, what: 'the watcher to see the child' })
    child.kill('SIGSTOP')
    try {
      await waitFor(() => rec.ids().length === 0, {
        timeoutMs: FAST.ttlMs + FAST.heartbeatMs + CI_SLACK_MS,
        what: 'the paused provider to expire',
      })
      expect(rec.heard.at(-1)!.change.removed.map((p) => p.reason)).toEqual(['expired'])
    } finally {
      child.kill('SIGCONT')
    }
    await waitFor(() => rec.ids().includes('sleepy'), { timeoutMs: 5_000, what: 'the resumed provider to return' })
    expect(rec.heard.at(-1)!.change.added.map((p) => p.id)).toEqual(['sleepy'])
    await killHard(child)
    await watch.close()
    await registry.close()
  })

  it('when another registry took the id meanwhile, the late heartbeat gets ProviderLostError and changes nothing', async () => {
    const errors: Error[] = []
    const first = new Registry(kit.redis, { namespace: 'lost', ...FAST, onError: (e) => errors.push(e) })
    const second = new Registry(kit.redis, { namespace: 'lost', ...FAST })
    await first.registerService({ name: 's' })
    const old = await first.registerProvider('s', { id: 'p', weight: 1 })
    // As if `first` had been frozen past its deadline: Redis judges it dead, and the id is free.
    await kit.redis.zadd('lost:{s}:alive', 1, 'p')
    await second.registerProvider('s', { id: 'p', weight: 2 })
    await expect(old.heartbeat()).rejects.toBeInstanceOf(ProviderLostError)
    expect(old.active).toBe(false)
    expect(await kit.redis.hget('lost:{s}:owners', 'p')).toBe(second.instanceId)
    expect((await first.listProviders('s')).map((p) => p.weight)).toEqual([2])
    await first.close() // must not deregister what it lost
    expect((await second.listProviders('s')).map((p) => p.weight)).toEqual([2])
    await second.close()
  })
})
