import { UnknownPolicyError } from '@org/balancer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ClosedError, RedRpc, UnknownMethodError, UnknownServiceError } from '../src/index.js'
import { type Stack, startStack } from './helpers.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack?.stop()
})

describe('bad input is refused with a typed error naming the argument', () => {
  it('the constructor checks the Redlock, the clients and the options', () => {
    const client = stack.group.instances[0]!.client()
    expect(() => new RedRpc({} as never, [client])).toThrow(/rlock must be a Redlock/)
    expect(() => new RedRpc(null, [])).toThrow(/redis must be a non-empty array/)
    expect(() => new RedRpc(null, [{} as never])).toThrow(/redis\[0\] must be an ioredis client/)
    expect(() => new RedRpc(null, [client], { heartbeatMs: 1_000, ttlMs: 1_000 })).toThrow(RangeError)
    expect(() => new RedRpc(null, [client], { policy: 'Nope' })).toThrow(UnknownPolicyError)
    expect(() => new RedRpc(null, [client], { call: { retries: -1 } })).toThrow(/options.call.retries/)
  })

  it('registerService checks the name and every method', async () => {
    const redRpc = stack.redRpc()
    await expect(redRpc.registerService('bad name', { m: () => 1 })).rejects.toThrow(/service name/)
    await expect(redRpc.registerService('s', {})).rejects.toThrow(/at least one method/)
    await expect(redRpc.registerService('s', { m: 42 as never })).rejects.toThrow(TypeError)
    await expect(redRpc.registerService('s', { m: { handler: 'x' as never } })).rejects.toThrow(/s.m'.handler/)
    await expect(redRpc.registerService('s', { m: { handler: () => 1, timeoutMs: 0 } })).rejects.toThrow(RangeError)
    await expect(redRpc.registerService('s', { m: { handler: () => 1, lock: [] } })).rejects.toThrow(/lock of 's.m'/)
    await redRpc.registerService('s', { m: () => 1 })
    await expect(redRpc.registerService('s', { m: () => 1 })).rejects.toThrow(/already registered/)
  })

  it('registerProvider refuses a count below 1 or not an integer, and an unknown or ambiguous service', async () => {
    const redRpc = stack.redRpc()
    await expect(redRpc.registerProvider('p', { count: 1 })).rejects.toBeInstanceOf(UnknownServiceError)
    await redRpc.registerService('one', { m: () => 1 })
    await expect(redRpc.registerProvider('p', { count: 0 })).rejects.toThrow(/options.count must be an integer >= 1/)
    await expect(redRpc.registerProvider('p', { count: 1.5 })).rejects.toThrow(RangeError)
    await expect(redRpc.registerProvider('p', undefined as never)).rejects.toThrow(TypeError)
    await expect(redRpc.registerProvider('p', { count: 1, service: 'other' })).rejects.toBeInstanceOf(
      UnknownServiceError,
    )
    await redRpc.registerService('two', { m: () => 2 })
    await expect(redRpc.registerProvider('p', { count: 1 })).rejects.toThrow(/options.service is required/)
    expect(redRpc.localProviders).toEqual([])
  })

  it('registerLbPolicy refuses an unknown policy name and lists the known ones', () => {
    const redRpc = stack.redRpc()
    const err = (() => {
      try {
        redRpc.registerLbPolicy('NoSuchPolicy')
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(UnknownPolicyError)
    expect((err as Error).message).toMatch(/RoundRobin/)
    expect(() => redRpc.registerLbPolicy({} as never)).toThrow(TypeError)
  })

  it('callApi rejects an unknown service, an unknown method (listing the known ones) and bad options', async () => {
    const redRpc = stack.redRpc()
    await redRpc.registerService('known', { ping: () => 'pong', echo: (p: unknown) => p })
    await redRpc.registerProvider('k', { count: 1 })
    await expect(redRpc.getInstance('nowhere').callApi('ping')).rejects.toMatchObject({
      name: 'UnknownServiceError',
      service: 'nowhere',
    })
    const err = await redRpc
      .getInstance('known')
      .callApi('pong')
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UnknownMethodError)
    expect(err).toMatchObject({ service: 'known', method: 'pong', known: ['ping', 'echo'] })
    const known = redRpc.getInstance('known')
    await expect(known.callApi('' as never)).rejects.toThrow(TypeError)
    await expect(known.callApi('ping', undefined, { timeoutMs: -5 })).rejects.toThrow(/options.timeoutMs/)
    expect(() => redRpc.getInstance('bad name')).toThrow(TypeError)
    expect(await known.callApi('echo', { a: [1, 'x', null] })).toEqual({ a: [1, 'x', null] })
  })

  it('after close, calls reject and registrations throw ClosedError', async () => {
    const redRpc = stack.redRpc()
    await redRpc.registerService('closing', { ping: () => 'pong' })
    await redRpc.registerProvider('cl', { count: 1 })
    const service = redRpc.getInstance('closing')
    expect(await service.callApi('ping')).toBe('pong')
    await redRpc.close()
    await expect(service.callApi('ping')).rejects.toBeInstanceOf(ClosedError)
    await expect(service.api.ping()).rejects.toBeInstanceOf(ClosedError)
    await expect(redRpc.registerService('x', { m: () => 1 })).rejects.toBeInstanceOf(ClosedError)
    await expect(redRpc.registerProvider('x', { count: 1 })).rejects.toBeInstanceOf(ClosedError)
    expect(() => redRpc.getInstance('closing')).toThrow(ClosedError)
    expect(() => redRpc.registerLbPolicy('Random')).toThrow(ClosedError)
    await redRpc.close()
    // Its providers left the registry: another process sees none.
    expect(await stack.redRpc().registry.listProviders('closing')).toEqual([])
  })
})
