import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallHookContext, HandleHookContext, LockTrace } from '../src/index.js'
import { type Stack, startStack } from './helpers.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack?.stop()
})

describe('call hooks wrap every call on the caller side', () => {
  it('see service, method, provider, attempt, deadline and outcome, and may add metadata the handler reads', async () => {
    const redRpc = stack.redRpc()
    await redRpc.registerService('hk_echo', {
      meta: (_p: unknown, ctx: { metadata: Readonly<Record<string, unknown>> }) => ctx.metadata,
    })
    await redRpc.registerProvider('hk_echo', { count: 1 })
    const seen: { before: Partial<CallHookContext>; after: Partial<CallHookContext>; result: unknown }[] = []
    redRpc.use({
      call: async (ctx, next) => {
        const before = { service: ctx.service, method: ctx.method, attempt: ctx.attempt }
        ctx.metadata.tenant = 'acme'
        const result = await next()
        seen.push({
          before,
          after: { attempt: ctx.attempt, provider: ctx.provider, deadline: ctx.deadline, attempts: [...ctx.attempts] },
          result,
        })
        return result
      },
    })
    const given = { user: 'u1' }
    const result = await redRpc.getInstance('hk_echo').callApi('meta', undefined, { metadata: given })
    expect(result).toEqual({ user: 'u1', tenant: 'acme' })
    expect(given, "the caller's metadata object is left alone").toEqual({ user: 'u1' })
    expect(seen).toHaveLength(1)
    const [entry] = seen
    expect(entry?.before).toEqual({ service: 'hk_echo', method: 'meta', attempt: 0 })
    expect(entry?.after).toMatchObject({ attempt: 1, provider: 'hk_echo-1' })
    expect(entry?.after.deadline).toBeGreaterThan(performance.now())
    expect(entry?.after.attempts?.[0]).toMatchObject({ attempt: 1, provider: 'hk_echo-1', error: undefined })
    expect(entry?.after.attempts?.[0]?.latencyMs).toBeGreaterThan(0)
  })

  it('may answer without calling next (a cache) or refuse by throwing; the first registered runs outermost', async () => {
    const redRpc = stack.redRpc()
    let runs = 0
    await redRpc.registerService('hk_cache', {
      get: (p: { id: string }) => {
        runs++
        return `fresh ${p.id}`
      },
    })
    await redRpc.registerProvider('hk_cache', { count: 1 })
    const order: string[] = []
    const cache = new Map<string, unknown>([['cached', 'from cache']])
    const removeOuter = redRpc.use({
      call: async (ctx, next) => {
        order.push('outer')
        if ((ctx.params as { id: string }).id === 'denied') throw new Error('not allowed')
        return next()
      },
    })
    redRpc.use({
      call: (ctx, next) => {
        order.push('inner')
        const id = (ctx.params as { id: string }).id
        return cache.has(id) ? cache.get(id) : next()
      },
    })
    const api = redRpc.getInstance('hk_cache')
    expect(await api.callApi('get', { id: 'cached' })).toBe('from cache')
    expect(runs).toBe(0)
    expect(await api.callApi('get', { id: 'x' })).toBe('fresh x')
    expect(runs).toBe(1)
    await expect(api.callApi('get', { id: 'denied' })).rejects.toThrow('not allowed')
    expect(order).toEqual(['outer', 'inner', 'outer', 'inner', 'outer'])
    removeOuter()
    await expect(api.callApi('get', { id: 'denied' })).resolves.toBe('fresh denied')
  })

  it('see a failed call as a rejected next(), with each attempt and its error', async () => {
    const redRpc = stack.redRpc()
    await redRpc.registerService('hk_fail', {
      boom: () => {
        throw new Error('kaput')
      },
    })
    await redRpc.registerProvider('hk_fail', { count: 1 })
    let outcome: unknown
    let attempts: CallHookContext['attempts'] = []
    redRpc.use({
      call: (ctx, next) =>
        next().catch((err: unknown) => {
          outcome = err
          attempts = ctx.attempts
          throw err
        }),
    })
    await expect(redRpc.getInstance('hk_fail').callApi('boom')).rejects.toThrow('kaput')
    expect(outcome).toBeInstanceOf(Error)
    expect(attempts).toHaveLength(1)
    expect(attempts[0]?.error?.message).toContain('kaput')
  })
})

describe('handle hooks wrap every handler run on the provider side', () => {
  it('see the call, the lock with its fencing token and wait, and may refuse before the handler runs', async () => {
    const redRpc = stack.redRpc()
    let handled = 0
    await redRpc.registerService('hk_locked', {
      take: {
        lock: 'Resource_A',
        handler: (_p: unknown, ctx: { lock: { fencingToken: bigint } }) => {
          handled++
          return ctx.lock.fencingToken
        },
      },
    })
    await redRpc.registerProvider('hk_locked', { count: 1 })
    const runs: { ctx: Partial<HandleHookContext>; lock: LockTrace | undefined; result: unknown }[] = []
    redRpc.use({
      handle: async (ctx, next) => {
        if (ctx.metadata.deny) throw new Error('denied by hook')
        const result = await next()
        runs.push({
          ctx: { service: ctx.service, method: ctx.method, provider: ctx.provider, attempt: ctx.attempt },
          lock: ctx.lock,
          result,
        })
        return result
      },
    })
    const api = redRpc.getInstance('hk_locked')
    const token = await api.callApi('take')
    expect(runs).toHaveLength(1)
    const [run] = runs
    expect(run?.ctx).toEqual({ service: 'hk_locked', method: 'take', provider: 'hk_locked-1', attempt: 1 })
    expect(run?.result).toBe(token)
    expect(run?.lock).toMatchObject({ resources: ['Resource_A'], fencingToken: token, lost: false, error: undefined })
    const lock = run?.lock as LockTrace
    expect(lock.acquiredAt).toBeGreaterThanOrEqual(lock.waitStartedAt)
    expect(lock.releasedAt).toBeGreaterThanOrEqual(lock.acquiredAt as number)
    await expect(api.callApi('take', undefined, { metadata: { deny: true } })).rejects.toThrow('denied by hook')
    expect(handled).toBe(1)
  })

  it('may replace the params the handler gets', async () => {
    const redRpc = stack.redRpc()
    await redRpc.registerService('hk_params', { echo: (p: unknown) => p })
    await redRpc.registerProvider('hk_params', { count: 1 })
    redRpc.use({
      handle: (ctx, next) => {
        ctx.params = { ...(ctx.params as object), normalized: true }
        return next()
      },
    })
    expect(await redRpc.getInstance('hk_params').callApi('echo', { a: 1 })).toEqual({ a: 1, normalized: true })
  })

  it('bad hooks are refused with a TypeError', () => {
    const redRpc = stack.redRpc()
    expect(() => redRpc.use(null as never)).toThrow(TypeError)
    expect(() => redRpc.use({ call: 42 as never })).toThrow('hooks.call must be a function')
  })
})
