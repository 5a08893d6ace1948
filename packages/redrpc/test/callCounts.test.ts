import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RemoteCallError } from '../src/index.js'
import { type Stack, startStack, work } from './helpers.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack?.stop()
})

/**
 * A caller counts each call in once and out once, whichever way it goes: the first call of a client (which waits for
 * the service to load), later ones (sent in the same turn), failures, retries, and refusals before anything is sent.
 */
describe("a caller's counts", () => {
  it('every call is counted in and out once: first and later calls, failures, retries, refusals', async () => {
    const redRpc = stack.redRpc({ call: { timeoutMs: 1_000 } })
    const retried: string[] = []
    redRpc.on('retry', (e) => retried.push(e.provider))
    let hang = true
    await redRpc.registerService('cc_counts', {
      ok: () => 'ok',
      boom: () => {
        throw new Error('no')
      },
      // Stalls on cc-1 until well after the call's deadline, while told to: the call is retried on cc-2.
      read: {
        idempotent: true,
        handler: async (_p: unknown, ctx: { providerId: string; signal: AbortSignal }) => {
          if (hang && ctx.providerId === 'cc-1') {
            await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }))
            await work(500)
          }
          return ctx.providerId
        },
      },
    })
    await redRpc.registerProvider('cc', { count: 2 })
    const service = redRpc.getInstance('cc_counts')
    const stats = () => redRpc.stats().services.cc_counts

    expect(await service.callApi('ok')).toBe('ok')
    expect(stats()).toMatchObject({ calls: 1, errors: 0, inFlight: 0 })
    expect(await Promise.all([service.callApi('ok'), service.callApi('ok', { n: 1 })])).toEqual(['ok', 'ok'])
    await expect(service.callApi('boom')).rejects.toBeInstanceOf(RemoteCallError)
    expect(stats()).toMatchObject({ calls: 4, errors: 1, inFlight: 0 })

    // Round robin sends one of two calls to cc-1 first: that one times out there and is answered by cc-2.
    const read = await Promise.all([service.callApi('read'), service.callApi('read')])
    hang = false
    expect(read).toEqual(['cc-2', 'cc-2'])
    expect(retried).toEqual(['cc-1'])
    expect(stats()).toMatchObject({ calls: 6, errors: 1, inFlight: 0 })

    // Refused before anything is sent: not counted at all.
    await expect(service.callApi('ok', { f: () => 1 })).rejects.toThrow('params.f')
    await expect(service.callApi('ok', undefined, { retries: -1 })).rejects.toBeInstanceOf(RangeError)
    expect(stats()).toMatchObject({ calls: 6, errors: 1, inFlight: 0 })
  })

  it('a callEnd listener that throws breaks neither the call nor its counts', async () => {
    const redRpc = stack.redRpc()
    await redRpc.registerService('cc_listener', { ok: () => 'ok' })
    await redRpc.registerProvider('cl', { count: 1 })
    const service = redRpc.getInstance('cc_listener')
    expect(await service.callApi('ok')).toBe('ok')
    redRpc.on('callEnd', () => {
      throw new Error('listener failed')
    })
    expect(await service.callApi('ok')).toBe('ok')
    expect(redRpc.stats().services.cc_listener).toMatchObject({ calls: 2, errors: 0, inFlight: 0 })
  })
})
