import type { LoadBalancer } from '@org/balancer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Stack, startStack } from './helpers.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack?.stop()
})

async function countByProvider(call: () => Promise<unknown>, total: number, inFlight: number) {
  const counts: Record<string, number> = {}
  let next = 0
  const worker = async () => {
    while (next < total) {
      next++
      const id = (await call()) as string
      counts[id] = (counts[id] ?? 0) + 1
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  return counts
}

describe('RoundRobin spreads calls evenly over the providers', () => {
  it('300 calls, 30 in flight, give exactly 100 to each of 3 providers, and stats() agrees', async () => {
    const redRpc = stack.redRpc()
    await redRpc.registerService('rr_service', { whoami: (_p, ctx) => ctx.providerId })
    await redRpc.registerProvider('rr', { count: 3 })
    redRpc.registerLbPolicy('RoundRobin')
    const service = redRpc.getInstance('rr_service')
    await service.ready()
    expect(service.providers()).toEqual(['rr-1', 'rr-2', 'rr-3'])

    const counts = await countByProvider(() => service.callApi('whoami'), 300, 30)
    expect(counts).toEqual({ 'rr-1': 100, 'rr-2': 100, 'rr-3': 100 })
    const stats = redRpc.stats()
    expect(stats.services.rr_service).toMatchObject({ calls: 300, errors: 0, inFlight: 0 })
    for (const id of ['rr-1', 'rr-2', 'rr-3']) {
      expect(stats.services.rr_service?.providers[id]).toMatchObject({ calls: 100, errors: 0, breaker: 'closed' })
      expect(stats.served[id]).toMatchObject({ calls: 100, errors: 0, inFlight: 0 })
    }
    expect(stats.services.rr_service?.p99).toBeGreaterThan(0)
  })
})

describe('policies can be chosen per service, including custom ones', () => {
  it('a custom policy given by factory routes every call of its service, another service keeps the default', async () => {
    const redRpc = stack.redRpc()
    const ref = await redRpc.registerService('custom_lb', { whoami: (_p, ctx) => ctx.providerId })
    await redRpc.registerService('default_lb', { whoami: (_p, ctx) => ctx.providerId })
    await redRpc.registerProvider('c', { count: 2, service: 'custom_lb' })
    await redRpc.registerProvider('d', { count: 2, service: 'default_lb' })
    const last: LoadBalancer = {
      policy: 'AlwaysLast',
      pick: (endpoints) => endpoints[endpoints.length - 1],
      onStart: () => {},
      onEnd: () => {},
    }
    redRpc.registerLbPolicy('AlwaysLast', { service: 'custom_lb', factory: () => last })
    const custom = redRpc.getInstance(ref)
    const plain = redRpc.getInstance('default_lb')
    const customCounts = await countByProvider(() => custom.api.whoami(), 20, 4)
    const plainCounts = await countByProvider(() => plain.callApi('whoami'), 20, 4)
    expect(customCounts).toEqual({ 'c-2': 20 })
    expect(plainCounts).toEqual({ 'd-1': 10, 'd-2': 10 })
  })

  it('a built-in policy by any spelling (p2c) is accepted for one service', async () => {
    const redRpc = stack.redRpc()
    await redRpc.registerService('p2c_service', { ping: () => 'pong' })
    await redRpc.registerProvider('p', { count: 2 })
    redRpc.registerLbPolicy('p2c', { service: 'p2c_service' })
    const service = redRpc.getInstance('p2c_service')
    const results = await Promise.all(Array.from({ length: 20 }, () => service.callApi('ping')))
    expect(results.every((r) => r === 'pong')).toBe(true)
  })
})
