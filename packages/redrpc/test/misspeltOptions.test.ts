import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RedRpc } from '../src/index.js'
import { type Stack, startStack } from './helpers.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack?.stop()
})

describe('a misspelt option is refused, never ignored', () => {
  it('a method definition with an unknown key (locks for lock) is refused before anything reaches Redis', async () => {
    const redRpc = stack.redRpc()
    const keysBefore = await stack.group.instances[0]!.client().dbsize()
    await expect(
      redRpc.registerService('mo_lock', { m: { handler: () => 1, locks: ['Resource_A'] } as never }),
    ).rejects.toThrow(new TypeError(`method 'mo_lock.m' has no option 'locks'; known: ${KNOWN_METHOD_KEYS}`))
    await expect(
      redRpc.registerService('mo_lock', { m: { handler: () => 1, paramsSchema: {} } as never }),
    ).rejects.toThrow(/has no option 'paramsSchema'/)
    expect(await stack.group.instances[0]!.client().dbsize()).toBe(keysBefore)
    // The spelling users write still works.
    await redRpc.registerService('mo_lock', { m: { handler: () => 1, idempotent: true, timeoutMs: 100 } })
  })

  it('the constructor, caller defaults and breaker options name the unknown key', () => {
    const client = stack.group.instances[0]!.client()
    expect(() => new RedRpc(null, [client], { heartbeatMS: 100 } as never)).toThrow(
      /options has no option 'heartbeatMS'/,
    )
    expect(() => new RedRpc(null, [client], { call: { timeout: 5 } } as never)).toThrow(
      /options.call has no option 'timeout'/,
    )
    expect(() => new RedRpc(null, [client], { call: { breaker: { threshold: 1 } } } as never)).toThrow(
      /options.call.breaker has no option 'threshold'/,
    )
    const redRpc = stack.redRpc()
    expect(() => redRpc.getInstance('any', { retry: 3 } as never)).toThrow(/options has no option 'retry'/)
  })
})

const KNOWN_METHOD_KEYS = 'handler, params, result, lock, permits, lockTtlMs, idempotent, timeoutMs, retries'
