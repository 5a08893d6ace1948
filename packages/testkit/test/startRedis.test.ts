import { existsSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listKitServers, type RedisGroup, startRedis, waitFor } from '../src/index.js'
import { alive } from './helpers.js'

describe('startRedis', () => {
  let group: RedisGroup
  beforeAll(async () => {
    group = await startRedis({ count: 3 })
  })
  afterAll(async () => {
    await group?.stop()
  })

  it('starts independent servers on distinct loopback ports that answer', async () => {
    expect(group.instances).toHaveLength(3)
    const ports = new Set(group.instances.map((i) => i.port))
    expect(ports.size).toBe(3)
    for (const instance of group.instances) {
      expect(instance.url).toBe(`redis://127.0.0.1:${instance.port}`)
      const client = instance.client()
      expect(await client.ping()).toBe('PONG')
      await client.set('who', String(instance.port))
    }
    // Independent: each holds only its own data.
    for (const instance of group.instances) {
      expect(await instance.client().get('who')).toBe(String(instance.port))
    }
  })

  it('kill() ends one server at once while the others keep answering, restart() brings it back empty', async () => {
    const [victim, other] = group.instances
    const victimClient = victim!.client({ maxRetriesPerRequest: 0 })
    await victimClient.set('k', 'v')
    const pid = victim!.pid!
    await victim!.kill()
    expect(alive(pid)).toBe(false)
    expect(victim!.running).toBe(false)
    await expect(victimClient.ping()).rejects.toThrow()
    expect(await other!.client().ping()).toBe('PONG')

    await victim!.restart()
    expect(victim!.running).toBe(true)
    const fresh = victim!.client()
    expect(await fresh.ping()).toBe('PONG')
    expect(await fresh.get('k')).toBeNull()
  })

  it('pause() freezes a server (calls time out) and resume() lets it answer again', async () => {
    const instance = group.instances[1]!
    const client = instance.client({ commandTimeout: 200, maxRetriesPerRequest: 0 })
    expect(await client.ping()).toBe('PONG')
    instance.pause()
    try {
      await expect(client.ping()).rejects.toThrow(/timed out/i)
    } finally {
      instance.resume()
    }
    expect(await instance.client().ping()).toBe('PONG')
  })

  it('marks its servers so ps can tell them from servers it did not start', () => {
    const mine = listKitServers().filter((s) => s.owner === process.pid)
    expect(mine.map((s) => s.pid).sort()).toEqual(group.instances.map((i) => i.pid).sort())
  })
})

describe('startRedis with persistence', () => {
  it('keeps data across restart() only when persistence is on', async () => {
    const persistent = await startRedis({ count: 1, persistence: true })
    const volatile = await startRedis({ count: 1 })
    try {
      const [p] = persistent.instances
      const [v] = volatile.instances
      await p!.client().set('kept', '1')
      await v!.client().set('kept', '1')
      await p!.restart()
      await v!.restart()
      expect(await p!.client().get('kept')).toBe('1')
      expect(await v!.client().get('kept')).toBeNull()
      // A SIGKILL loses nothing either: every write is fsynced.
      await p!.client().set('after-kill', '2')
      await p!.kill()
      await p!.restart()
      expect(await p!.client().get('after-kill')).toBe('2')
    } finally {
      await persistent.stop()
      await volatile.stop()
    }
  })
})

describe('stop()', () => {
  it('leaves no process and no data directory behind', async () => {
    const group = await startRedis({ count: 2 })
    const pids = group.instances.map((i) => i.pid!)
    const dirs = group.instances.map((i) => i.dir)
    expect(dirs.every((d) => existsSync(d))).toBe(true)
    await group.stop()
    await waitFor(() => pids.every((pid) => !alive(pid)), { what: 'servers gone' })
    expect(dirs.some((d) => existsSync(d))).toBe(false)
    expect(listKitServers().filter((s) => pids.includes(s.pid))).toEqual([])
  })

  it('rejects a bad count before starting anything', async () => {
    await expect(startRedis({ count: 0 })).rejects.toThrow(RangeError)
  })
})
