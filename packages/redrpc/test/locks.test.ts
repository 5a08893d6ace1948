import { waitFor } from '@org/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RemoteCallError, UndeclaredResourceError } from '../src/index.js'
import { type Stack, startStack, work } from './helpers.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack?.stop()
})

describe('a lock-protected method never runs twice at once for the same resource', () => {
  it('40 concurrent calls on Resource_A over 3 providers never overlap, and fencing tokens grow in run order', async () => {
    const redRpc = stack.redRpc()
    let active = 0
    let maxActive = 0
    const tokens: bigint[] = []
    await redRpc.registerService('locked', {
      touch: {
        lock: (p: { name: string }) => [p.name],
        handler: async (_p, ctx) => {
          active++
          maxActive = Math.max(maxActive, active)
          tokens.push(ctx.lock.fencingToken)
          await work(3)
          active--
          return ctx.lock.fencingToken
        },
      },
    })
    await redRpc.registerProvider('lk', { count: 3 })
    const service = redRpc.getInstance('locked')
    const results = await Promise.all(
      Array.from({ length: 40 }, () => service.callApi('touch', { name: 'Resource_A' })),
    )
    expect(maxActive).toBe(1)
    expect(tokens).toHaveLength(40)
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1] as bigint)
    expect(new Set(results).size).toBe(40)
  })

  it('calls on unrelated resources run in parallel', async () => {
    const redRpc = stack.redRpc()
    const running = new Set<string>()
    await redRpc.registerService('parallel', {
      hold: {
        lock: (p: { name: string }) => p.name,
        handler: async (p: { name: string }) => {
          running.add(p.name)
          // Each call waits for the other to be inside its lock: only possible if both hold their locks at once.
          await waitFor(() => running.has('Resource_B') && running.has('Resource_C'), {
            timeoutMs: 10_000,
            what: 'both resources held at once',
          })
          return p.name
        },
      },
    })
    await redRpc.registerProvider('par', { count: 2 })
    const service = redRpc.getInstance('parallel')
    const [b, c] = await Promise.all([
      service.callApi('hold', { name: 'Resource_B' }),
      service.callApi('hold', { name: 'Resource_C' }),
    ])
    expect([b, c]).toEqual(['Resource_B', 'Resource_C'])
  })

  it('a handler whose lock is lost sees its signal abort and a lockLost event is emitted', async () => {
    const redRpc = stack.redRpc()
    const lost: string[][] = []
    redRpc.on('lockLost', (e) => lost.push(e.resources))
    let held = false
    await redRpc.registerService('stealable', {
      hold: {
        lock: 'Resource_C',
        lockTtlMs: 1_000,
        handler: async (_p, ctx) => {
          held = true
          await waitFor(() => ctx.signal.aborted, { timeoutMs: 10_000, what: 'the lock to be lost' })
          return 'aborted'
        },
      },
    })
    await redRpc.registerProvider('st', { count: 1 })
    const call = redRpc.getInstance('stealable').callApi('hold')
    await waitFor(() => held, { timeoutMs: 10_000, what: 'the handler to hold the lock' })
    // Another party deletes the lock key on every instance: the next extension fails.
    await Promise.all(stack.group.instances.map((i) => i.client().del('redlock:{Resource_C}')))
    await call.catch(() => {})
    expect(lost).toEqual([['Resource_C']])
  })
})

describe('lock resources are the ones the Redlock declares', () => {
  it('a fixed lock on an undeclared resource is rejected at registration', async () => {
    const redRpc = stack.redRpc()
    await expect(
      redRpc.registerService('bad_lock', { m: { lock: ['Resource_A', 'Resource_Z'], handler: () => 1 } }),
    ).rejects.toThrow(UndeclaredResourceError)
    await expect(redRpc.registry.getService('bad_lock')).rejects.toMatchObject({ name: 'UnknownServiceError' })
  })

  it('a lock function naming an undeclared resource fails that call with a remote UndeclaredResourceError', async () => {
    const redRpc = stack.redRpc()
    let ran = 0
    await redRpc.registerService('dyn_lock', {
      m: {
        lock: (p: { name: string }) => p.name,
        handler: () => {
          ran++
          return 'ran'
        },
      },
    })
    await redRpc.registerProvider('dl', { count: 1 })
    const service = redRpc.getInstance('dyn_lock')
    const err = await service.callApi('m', { name: 'Nope' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RemoteCallError)
    expect(err).toMatchObject({
      remoteName: 'UndeclaredResourceError',
      service: 'dyn_lock',
      method: 'm',
      provider: 'dl-1',
    })
    expect(await service.callApi('m', { name: 'Resource_B' })).toBe('ran')
    expect(ran).toBe(1)
  })

  it('a lock-protected method cannot be registered without a Redlock, and ctx.lock of a plain method says why', async () => {
    const noLock = stack.redRpc({}, false)
    await expect(noLock.registerService('needs_lock', { m: { lock: 'Resource_A', handler: () => 1 } })).rejects.toThrow(
      TypeError,
    )
    const redRpc = stack.redRpc()
    await redRpc.registerService('plain', { m: (_p, ctx) => ctx.lock.fencingToken })
    await redRpc.registerProvider('pl', { count: 1 })
    const err = await redRpc
      .getInstance('plain')
      .callApi('m')
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ remoteName: 'TypeError' })
    expect((err as Error).message).toMatch(/takes no lock/)
  })
})
