import { execFile } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { UnknownServiceError as RegistryUnknownServiceError } from '@org/registry'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ServiceConflictError, ServiceInUseError } from '../src/index.js'
import { type Stack, startStack } from './helpers.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack?.stop()
})

/** Every key of a namespace, sorted. */
async function keys(namespace = stack.namespace): Promise<string[]> {
  const client = stack.group.instances[0]?.client()
  return ((await client?.keys(`${namespace}:*`)) ?? []).sort()
}

describe('a service keeps the definition it was registered with', () => {
  it('a second process registering other settings is refused with ServiceConflictError naming what differs', async () => {
    const first = stack.redRpc()
    await first.registerService('conflict', {
      pay: { lock: 'Resource_A', handler: () => 'paid' },
      ping: () => 'pong',
    })
    const second = stack.redRpc()
    const err = (await second
      .registerService('conflict', { pay: () => 'paid without a lock', refund: () => 'refunded' }, { version: '2.0.0' })
      .catch((e: unknown) => e)) as ServiceConflictError
    expect(err).toBeInstanceOf(ServiceConflictError)
    expect(err.differences).toEqual([
      'methods added: refund',
      'methods removed: ping',
      'pay.locked: true -> false',
      'version: 1.0.0 -> 2.0.0',
    ])
    const stored = await first.registry.getService('conflict')
    expect(stored.methods).toEqual(['pay', 'ping'])
    expect(stored.version).toBe('1.0.0')
  })

  it('of two processes registering different definitions at once, one is refused (the check is a compare-and-set)', async () => {
    const [a, b] = [stack.redRpc(), stack.redRpc()]
    const results = await Promise.allSettled([
      a.registerService('raced', { ping: () => 'a' }, { version: '1.0.0' }),
      b.registerService('raced', { ping: () => 'b' }, { version: '2.0.0' }),
    ])
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(refused).toHaveLength(1)
    expect(refused[0]!.reason).toBeInstanceOf(ServiceConflictError)
    const stored = await a.registry.getService('raced')
    const winner = results[0]!.status === 'fulfilled' ? '1.0.0' : '2.0.0'
    expect(stored.version).toBe(winner)
  })

  it('an identical definition registers again (a restarted provider process) and serves', async () => {
    const before = stack.redRpc()
    const methods = { ping: { idempotent: true, handler: () => 'pong' } }
    await before.registerService('restarted', methods, { metadata: { team: 'a', tier: 1 } })
    await before.registerProvider('rs', { count: 1 })
    await before.close()
    const after = stack.redRpc()
    await after.registerService('restarted', methods, { metadata: { tier: 1, team: 'a' } })
    await after.registerProvider('rs', { count: 1 })
    expect(await after.getInstance('restarted').callApi('ping')).toBe('pong')
  })
})

describe('services have a lifecycle: clean stops leave no inbox, unregisterService removes the rest', () => {
  it('after close() only the definition is left; after unregisterService nothing is', async () => {
    const ns = `${stack.namespace}_tidy`
    const provider = stack.redRpc({ namespace: ns })
    await provider.registerService('tidy', { ping: () => 'pong' })
    await provider.registerProvider('td', { count: 2 })
    const caller = stack.redRpc({ namespace: ns })
    expect(await caller.getInstance('tidy').callApi('ping')).toBe('pong')
    await provider.close()
    await caller.close()
    expect(await keys(ns)).toEqual([`${ns}:services`, `${ns}:{tidy}:service`])
    const admin = stack.redRpc({ namespace: ns })
    expect(await admin.unregisterService('tidy')).toBe(true)
    expect(await keys(ns)).toEqual([])
    await expect(admin.registry.getService('tidy')).rejects.toBeInstanceOf(RegistryUnknownServiceError)
    // Gone for good: it may be registered again with another definition.
    await admin.registerService('tidy', { other: () => 1 })
    expect(await admin.unregisterService('tidy')).toBe(true)
    expect(await admin.unregisterService('tidy')).toBe(false)
  })

  it('a service with a live provider is not removed without force; with force, local providers stop first', async () => {
    const provider = stack.redRpc()
    await provider.registerService('busy', { ping: () => 'pong' })
    await provider.registerProvider('bz', { count: 1 })
    const admin = stack.redRpc()
    const err = (await admin.unregisterService('busy').catch((e: unknown) => e)) as ServiceInUseError
    expect(err).toBeInstanceOf(ServiceInUseError)
    expect(err.providers).toEqual(['bz-1'])
    expect((await admin.registry.getService('busy')).methods).toEqual(['ping'])
    await expect(provider.unregisterService('busy')).rejects.toBeInstanceOf(ServiceInUseError)
    expect(await provider.unregisterService('busy', { force: true })).toBe(true)
    expect(provider.localProviders).toEqual([])
    expect((await keys()).filter((k) => k.includes('busy'))).toEqual([])
  })
})

describe('the redrpc command lists and removes stale services', () => {
  const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli.ts')
  const redrpc = async (...args: string[]) => {
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', cli, ...args, '--redis', stack.url, '--namespace', stack.namespace],
        { timeout: 30_000 },
      )
      return { code: 0, stdout, stderr: '' }
    } catch (err) {
      return err as { code: number; stdout: string; stderr: string }
    }
  }

  it('services --stale lists those with no live provider; unregister removes one, refuses a live one', async () => {
    const gone = stack.redRpc()
    await gone.registerService('stale_one', { ping: () => 'pong' })
    await gone.registerProvider('so', { count: 1 })
    await gone.close()
    const live = stack.redRpc()
    await live.registerService('live_one', { ping: () => 'pong' })
    await live.registerProvider('lo', { count: 1 })
    const stale = JSON.parse((await redrpc('services', '--stale', '--json')).stdout) as { name: string }[]
    expect(stale.map((s) => s.name)).toContain('stale_one')
    expect(stale.map((s) => s.name)).not.toContain('live_one')
    expect(await redrpc('unregister', 'stale_one')).toMatchObject({ code: 0, stdout: 'removed stale_one\n' })
    const refused = await redrpc('unregister', 'live_one')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/ServiceInUseError: live_one: has 1 live provider\(s\): lo-1/)
    const names = (JSON.parse((await redrpc('services', '--json')).stdout) as { name: string }[]).map((s) => s.name)
    expect(names).toContain('live_one')
    expect(names).not.toContain('stale_one')
  })
})
