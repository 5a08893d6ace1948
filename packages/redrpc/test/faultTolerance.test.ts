import { Registry } from '@org/registry'
import { waitFor } from '@org/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BulkheadFullError, CallTimeoutError, CircuitOpenError, RemoteCallError } from '../src/index.js'
import { type Stack, startStack, work } from './helpers.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack?.stop()
})

/** Generous, so that a loaded CI machine never times out a healthy call. */
const TIMEOUT = 1_000

/**
 * A handler that stalls on `provider` while `hang.on` (it answers only well after the caller's deadline, as a stuck
 * provider would) and answers at once elsewhere.
 */
function hangingOn(provider: string, hang: { on: boolean }, ran: string[]) {
  return async (_p: unknown, ctx: { providerId: string; signal: AbortSignal }) => {
    ran.push(ctx.providerId)
    if (hang.on && ctx.providerId === provider) {
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }))
      await work(500)
      return 'too late'
    }
    return ctx.providerId
  }
}

describe('timeouts and retries with failover', () => {
  it('an idempotent method that times out on one provider is answered by another', async () => {
    const redRpc = stack.redRpc({ call: { timeoutMs: TIMEOUT } })
    const ran: string[] = []
    const retries: string[] = []
    redRpc.on('retry', (e) => retries.push(e.provider))
    await redRpc.registerService('ft_idem', {
      read: { idempotent: true, handler: hangingOn('fi-1', { on: true }, ran) },
    })
    await redRpc.registerProvider('fi', { count: 2 })
    const service = redRpc.getInstance('ft_idem')
    const results = await Promise.all([service.callApi('read'), service.callApi('read')])
    expect(results).toEqual(['fi-2', 'fi-2'])
    expect(retries).toEqual(['fi-1'])
  })

  it('a non-idempotent method is not retried after a timeout; the error names service, method and provider', async () => {
    const redRpc = stack.redRpc({ call: { timeoutMs: TIMEOUT } })
    const ran: string[] = []
    await redRpc.registerService('ft_once', { charge: hangingOn('fo-1', { on: true }, ran) })
    await redRpc.registerProvider('fo', { count: 2 })
    const service = redRpc.getInstance('ft_once')
    const outcomes = await Promise.allSettled([service.callApi('charge'), service.callApi('charge')])
    const failed = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult
    expect(failed.reason).toBeInstanceOf(CallTimeoutError)
    expect(failed.reason).toMatchObject({ service: 'ft_once', method: 'charge', provider: 'fo-1', timeoutMs: TIMEOUT })
    expect(failed.reason.message).toContain('ft_once.charge on fo-1')
    expect(
      outcomes.filter((o) => o.status === 'fulfilled').map((o) => (o as PromiseFulfilledResult<unknown>).value),
    ).toEqual(['fo-2'])
    expect(ran.filter((p) => p === 'fo-1')).toHaveLength(1)
  })

  it('service-wide defaults published with the service apply to callers in another RedRpc', async () => {
    const owner = stack.redRpc()
    await owner.registerService(
      'ft_defaults',
      { slow: hangingOn('sd-1', { on: true }, []) },
      { defaults: { timeoutMs: TIMEOUT } },
    )
    await owner.registerProvider('sd', { count: 1 })
    const caller = stack.redRpc({}, false)
    const err = await caller
      .getInstance('ft_defaults')
      .callApi('slow')
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CallTimeoutError)
    expect(err).toMatchObject({ provider: 'sd-1', timeoutMs: TIMEOUT })
  })

  it('an error proving the call never ran (no inbox behind a listed provider) is failed over, even when not idempotent', async () => {
    const redRpc = stack.redRpc()
    let runs = 0
    await redRpc.registerService('ft_ghost', {
      once: () => {
        runs++
        return 'done'
      },
    })
    await redRpc.registerProvider('real', { count: 1 })
    // A provider that the registry lists but that never started a transport server.
    const ghostRegistry = new Registry(stack.group.instances[0]!.client(), { namespace: stack.namespace })
    await ghostRegistry.registerProvider('ft_ghost', { id: 'aaa-ghost' })
    redRpc.registerLbPolicy('AlwaysFirst', {
      service: 'ft_ghost',
      factory: () => ({
        policy: 'AlwaysFirst',
        pick: (endpoints, ctx) => endpoints.find((e) => !ctx?.exclude?.has(e.id)),
        onStart: () => {},
        onEnd: () => {},
      }),
    })
    const service = redRpc.getInstance('ft_ghost')
    await service.ready()
    await waitFor(() => service.providers().length === 2, { timeoutMs: 10_000, what: 'ghost listed' })
    expect(await service.callApi('once')).toBe('done')
    expect(runs).toBe(1)
    await ghostRegistry.close()
  })

  it("a handler's own error is not retried and crosses the wire with its name, code and data", async () => {
    const redRpc = stack.redRpc()
    let runs = 0
    await redRpc.registerService('ft_throw', {
      fail: {
        idempotent: true,
        handler: () => {
          runs++
          throw Object.assign(new RangeError('too big'), { code: 'E_BIG', data: { max: 3 } })
        },
      },
    })
    await redRpc.registerProvider('th', { count: 2 })
    const err = await redRpc
      .getInstance('ft_throw')
      .callApi('fail')
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RemoteCallError)
    expect(err).toMatchObject({
      remoteName: 'RangeError',
      code: 'E_BIG',
      data: { max: 3 },
      service: 'ft_throw',
      method: 'fail',
    })
    expect(runs).toBe(1)
  })
})

describe('the per-provider circuit breaker', () => {
  it('opens after consecutive failures, keeps calls away, half-opens after the cool-down and closes on success', async () => {
    const redRpc = stack.redRpc({
      call: { timeoutMs: TIMEOUT, retries: 0, breaker: { failureThreshold: 2, cooldownMs: 3_000 } },
    })
    const hang = { on: true }
    const ran: string[] = []
    const transitions: string[] = []
    redRpc.on('breakerOpen', (e) => transitions.push(`open ${e.provider}`))
    redRpc.on('breakerHalfOpen', (e) => transitions.push(`half-open ${e.provider}`))
    redRpc.on('breakerClose', (e) => transitions.push(`close ${e.provider}`))
    await redRpc.registerService('ft_breaker', { read: { idempotent: true, handler: hangingOn('br-1', hang, ran) } })
    await redRpc.registerProvider('br', { count: 2 })
    const service = redRpc.getInstance('ft_breaker')
    // RoundRobin: every other call hits br-1 and times out, until its breaker opens after two.
    for (let i = 0; i < 4; i++) await service.callApi('read').catch(() => {})
    expect(transitions).toEqual(['open br-1'])
    expect(redRpc.stats().services.ft_breaker?.providers['br-1']?.breaker).toBe('open')
    ran.length = 0
    for (let i = 0; i < 6; i++) expect(await service.callApi('read')).toBe('br-2')
    expect(ran).not.toContain('br-1')

    hang.on = false
    await waitFor(() => redRpc.stats().services.ft_breaker?.providers['br-1']?.breaker === 'half-open', {
      timeoutMs: 15_000,
      what: 'the cool-down',
    })
    const after = await Promise.all(Array.from({ length: 4 }, () => service.callApi('read')))
    expect(after).toContain('br-1')
    expect(transitions).toEqual(['open br-1', 'half-open br-1', 'close br-1'])
  })

  it('when every provider is open, a call fails at once with CircuitOpenError', async () => {
    const redRpc = stack.redRpc({
      call: { timeoutMs: TIMEOUT, retries: 0, breaker: { failureThreshold: 1, cooldownMs: 60_000 } },
    })
    await redRpc.registerService('ft_allopen', { read: hangingOn('ao-1', { on: true }, []) })
    await redRpc.registerProvider('ao', { count: 1 })
    const service = redRpc.getInstance('ft_allopen')
    await expect(service.callApi('read')).rejects.toBeInstanceOf(CallTimeoutError)
    await expect(service.callApi('read')).rejects.toBeInstanceOf(CircuitOpenError)
  })
})

describe('maxInFlight is a bulkhead', () => {
  it('beyond maxInFlight a call fails at once with BulkheadFullError, and calls pass again once others finish', async () => {
    const redRpc = stack.redRpc()
    const gate = { open: false }
    let ran = 0
    await redRpc.registerService('ft_bulk', {
      slow: async () => {
        ran++
        await waitFor(() => gate.open, { timeoutMs: 10_000, what: 'the gate' })
        return 'ok'
      },
    })
    await redRpc.registerProvider('bk', { count: 1 })
    const service = redRpc.getInstance('ft_bulk', { maxInFlight: 2 })
    const first = [service.callApi('slow'), service.callApi('slow')]
    await waitFor(() => ran === 2, { timeoutMs: 10_000, what: 'two calls running' })
    const err = await service.callApi('slow').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BulkheadFullError)
    expect(err).toMatchObject({ service: 'ft_bulk', method: 'slow', maxInFlight: 2 })
    gate.open = true
    expect(await Promise.all(first)).toEqual(['ok', 'ok'])
    expect(await service.callApi('slow')).toBe('ok')
    expect(ran).toBe(3)
  })
})
