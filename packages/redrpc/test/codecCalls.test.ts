import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CodecError, RedRpcError } from '../src/index.js'
import { type Stack, startStack } from './helpers.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack?.stop()
})

describe('a call carries its params and result exactly, or fails with CodecError', () => {
  it('a function in the params is refused before anything is sent, naming its path; the handler never runs', async () => {
    const redRpc = stack.redRpc()
    const seen: unknown[] = []
    await redRpc.registerService('codec_params', { echo: (p: unknown) => seen.push(p) })
    await redRpc.registerProvider('cp', { count: 1 })
    const service = redRpc.getInstance('codec_params')
    const err = await service.callApi('echo', { items: [1, 2, { f: () => 1 }] }).catch((e: unknown) => e as CodecError)
    expect(err).toBeInstanceOf(CodecError)
    expect(err).toBeInstanceOf(RedRpcError)
    expect(err).toMatchObject({ path: 'params.items[2].f', service: 'codec_params', method: 'echo', notExecuted: true })
    for (const params of [() => 1, { s: Symbol('x') }, { when: new Date(0) }, [Number.NaN], new Map()]) {
      await expect(service.callApi('echo', params)).rejects.toBeInstanceOf(CodecError)
    }
    await expect(service.callApi('echo', { ok: true }, { metadata: { f: () => 1 } })).rejects.toMatchObject({
      path: 'metadata.f',
    })
    expect(seen).toEqual([])
    expect(redRpc.stats().services.codec_params?.calls ?? 0).toBe(0)
  })

  it('a plain object shaped like a tagged bigint arrives as that object; bigints and -0 arrive as themselves', async () => {
    const redRpc = stack.redRpc()
    await redRpc.registerService('codec_echo', { echo: (p: unknown) => ({ got: p, big: 2n ** 70n, zero: -0 }) })
    await redRpc.registerProvider('ce', { count: 1 })
    const params = { $bigint: '42', n: 42n, nested: [{ $$x: -0 }] }
    const back = (await redRpc.getInstance('codec_echo').callApi('echo', params)) as Record<string, unknown>
    expect(back).toStrictEqual({ got: params, big: 2n ** 70n, zero: -0 })
  })

  it('a handler returning what the codec cannot carry gives the caller a CodecError, not null; not retried', async () => {
    const redRpc = stack.redRpc()
    let runs = 0
    await redRpc.registerService('codec_result', {
      fn: {
        idempotent: true,
        handler: () => {
          runs++
          return () => 1
        },
      },
      date: async () => ({ when: new Date(0) }),
      fine: () => 'ok',
    })
    await redRpc.registerProvider('cr', { count: 2 })
    const service = redRpc.getInstance('codec_result')
    const err = await service.callApi('fn').catch((e: unknown) => e as CodecError)
    expect(err).toBeInstanceOf(CodecError)
    expect(err).toMatchObject({ path: 'result', remote: true, notExecuted: false, method: 'fn' })
    expect((err as CodecError).message).toMatch(/function/)
    expect(runs).toBe(1)
    await expect(service.callApi('date')).rejects.toMatchObject({ path: 'result.when', remote: true })
    // A refused result is the handler's value, not the provider's fault: its breaker stays closed.
    expect(await service.callApi('fine')).toBe('ok')
  })
})
