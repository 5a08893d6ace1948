import { waitFor } from '@org/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AdoptedEvent, CallEndEvent, ProviderEvent } from '../src/index.js'
import { type Stack, startStack } from './helpers.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack?.stop()
})

const methods = { whoami: (_p: unknown, ctx: { providerId: string }) => ctx.providerId }

describe('events report calls, providers coming and going, and adoptions', () => {
  it('a caller hears callStart/callEnd with latency and outcome, and providerUp/providerDown with the reason', async () => {
    const a = stack.redRpc()
    await a.registerService('ev_service', methods)
    await a.registerProvider('ea', { count: 1 })
    const caller = stack.redRpc({}, false)
    const ends: CallEndEvent[] = []
    const starts: string[] = []
    const ups: ProviderEvent[] = []
    const downs: ProviderEvent[] = []
    caller.on('callStart', (e) => starts.push(e.provider))
    caller.on('callEnd', (e) => ends.push(e))
    caller.on('providerUp', (e) => ups.push(e))
    caller.on('providerDown', (e) => downs.push(e))
    const service = caller.getInstance('ev_service')
    expect(await service.callApi('whoami')).toBe('ea-1')
    expect(starts).toEqual(['ea-1'])
    expect(ends).toEqual([
      expect.objectContaining({ service: 'ev_service', method: 'whoami', provider: 'ea-1', ok: true }),
    ])
    expect(ends[0]?.latencyMs).toBeGreaterThan(0)

    const b = stack.redRpc()
    await b.registerService('ev_service', methods)
    await b.registerProvider('eb', { count: 1 })
    await waitFor(() => ups.some((e) => e.provider === 'eb-1'), { timeoutMs: 10_000, what: 'providerUp eb-1' })

    await a.close()
    await waitFor(() => downs.some((e) => e.provider === 'ea-1'), { timeoutMs: 10_000, what: 'providerDown ea-1' })
    expect(downs).toEqual([{ service: 'ev_service', provider: 'ea-1', reason: 'deregistered' }])
    expect(service.providers()).toEqual(['eb-1'])
    const after = await Promise.all(Array.from({ length: 6 }, () => service.callApi('whoami')))
    expect(after).toEqual(Array(6).fill('eb-1'))
  })

  it('a provider that leaves has its inbox adopted by a live provider of the same service in another RedRpc', async () => {
    const a = stack.redRpc()
    const b = stack.redRpc()
    const adopted: AdoptedEvent[] = []
    b.on('adopted', (e) => adopted.push(e))
    await a.registerService('adopt_service', methods)
    await b.registerService('adopt_service', methods)
    await a.registerProvider('aa', { count: 1 })
    await b.registerProvider('ab', { count: 1 })
    await a.close()
    await waitFor(() => adopted.length > 0, { timeoutMs: 10_000, what: 'the adoption' })
    expect(adopted).toEqual([{ service: 'adopt_service', provider: 'aa-1', by: 'ab-1' }])
  })

  it('a provider closing gracefully finishes its running calls, and no adopter runs them a second time', async () => {
    const a = stack.redRpc()
    const b = stack.redRpc()
    const runs: string[] = []
    const gate = { open: false }
    const slow = {
      slow: async (_p: unknown, ctx: { providerId: string }) => {
        runs.push(ctx.providerId)
        await waitFor(() => gate.open, { timeoutMs: 10_000, what: 'the gate' })
        return ctx.providerId
      },
    }
    await a.registerService('drain_service', slow)
    await b.registerService('drain_service', slow)
    await a.registerProvider('da', { count: 1 })
    const caller = stack.redRpc({}, false)
    const service = caller.getInstance('drain_service')
    const running = service.callApi('slow')
    await waitFor(() => runs.length === 1, { timeoutMs: 10_000, what: 'the call to start on da-1' })
    await b.registerProvider('db', { count: 1 })
    const closing = a.close()
    gate.open = true
    await closing
    expect(await running).toBe('da-1')
    expect(runs).toEqual(['da-1'])
  })
})
