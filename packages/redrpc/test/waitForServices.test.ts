import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CallAbortedError,
  NoProviderError,
  RedRpc,
  UnknownServiceError,
  WaitForServicesTimeoutError,
} from '../src/index.js'
import { type Stack, startStack } from './helpers.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack?.stop()
})

describe('waitForServices resolves once every named service has a live provider', { timeout: 60_000 }, () => {
  it('waits for a provider process started after the caller', async () => {
    const caller = stack.redRpc({}, false)
    const waiting = caller.waitForServices(['child_service'], { timeoutMs: 20_000 })
    let settled = false
    void waiting.finally(() => {
      settled = true
    })
    await caller.getInstance('child_service').ready()
    expect(settled).toBe(false)
    await stack.spawnProvider('late')
    await waiting
    expect(caller.getInstance('child_service').providers()).toEqual(['late-1'])
  })

  it('rejects after timeoutMs with a typed error naming the services still missing', async () => {
    const redRpc = stack.redRpc()
    await redRpc.registerService('served', { ping: () => 'pong' })
    await redRpc.registerProvider('s', { count: 1 })
    const started = performance.now()
    const err = await redRpc.waitForServices(['served', 'absent_a', 'absent_b'], { timeoutMs: 300 }).catch((e) => e)
    expect(performance.now() - started).toBeGreaterThanOrEqual(290)
    expect(err).toBeInstanceOf(WaitForServicesTimeoutError)
    expect(err).toBeInstanceOf(NoProviderError)
    expect(err).toMatchObject({ missing: ['absent_a', 'absent_b'], timeoutMs: 300 })
    expect((err as Error).message).toMatch(/absent_a, absent_b/)
    await redRpc.waitForServices(['served'], { timeoutMs: 300 })
    await redRpc.waitForServices([])
  })

  it('stops with CallAbortedError when its signal aborts', async () => {
    const controller = new AbortController()
    const waiting = stack.redRpc({}, false).waitForServices(['never_there'], {
      timeoutMs: Number.POSITIVE_INFINITY,
      signal: controller.signal,
    })
    controller.abort()
    await expect(waiting).rejects.toBeInstanceOf(CallAbortedError)
  })

  it('refuses bad input with a TypeError or RangeError before touching Redis', async () => {
    // A client that never connects: any command would fail with a connection error, not the errors expected here.
    const offline = new Redis(1, { lazyConnect: true, enableOfflineQueue: false, retryStrategy: () => null })
    const redRpc = new RedRpc(null, [offline])
    try {
      await expect(redRpc.waitForServices('svc' as never)).rejects.toThrow(TypeError)
      await expect(redRpc.waitForServices(['ok', 'bad name'])).rejects.toThrow(/services\[1\]/)
      await expect(redRpc.waitForServices([42 as never])).rejects.toThrow(TypeError)
      await expect(redRpc.waitForServices(['ok'], { timeoutMs: 0 })).rejects.toThrow(RangeError)
      await expect(redRpc.waitForServices(['ok'], { timeoutMs: 1.5 })).rejects.toThrow(/options.timeoutMs/)
      await expect(redRpc.waitForServices(['ok'], { signal: {} as never })).rejects.toThrow(TypeError)
      await expect(redRpc.waitForServices(['ok'], null as never)).rejects.toThrow(TypeError)
      expect(offline.status).toBe('wait')
    } finally {
      await redRpc.close()
      offline.disconnect()
    }
  })
})

describe('a call made before its providers start waits for one, up to its timeoutMs', { timeout: 60_000 }, () => {
  it('a caller started before the provider process gets its answer', async () => {
    // A namespace of its own: the provider process of the test above serves child_service in the stack's.
    const namespace = `${stack.namespace}-b`
    const caller = stack.redRpc({ namespace }, false)
    const answer = caller.getInstance('child_service').callApi('work', { n: 7 }, { timeoutMs: 20_000 })
    await caller.getInstance('child_service').ready()
    expect(caller.getInstance('child_service').providers()).toEqual([])
    await stack.spawnProvider('first', { NAMESPACE: namespace })
    expect(await answer).toEqual({ n: 7, provider: 'first-1', attempt: 1 })
  })

  it('a known service with no live provider rejects with NoProviderError once timeoutMs has passed, not before', async () => {
    const redRpc = stack.redRpc()
    await redRpc.registerService('unserved', { ping: () => 'pong' })
    const started = performance.now()
    const err = await redRpc
      .getInstance('unserved')
      .callApi('ping', undefined, { timeoutMs: 400 })
      .catch((e) => e)
    expect(performance.now() - started).toBeGreaterThanOrEqual(390)
    expect(err).toBeInstanceOf(NoProviderError)
    expect(err).toMatchObject({ service: 'unserved', method: 'ping' })
    expect((err as Error).message).toMatch(/no live provider within 400 ms/)
  })

  it('a service never registered rejects with UnknownServiceError after the wait', async () => {
    const started = performance.now()
    const err = await stack
      .redRpc({}, false)
      .getInstance('nobody_registers_this')
      .callApi('ping', undefined, { timeoutMs: 300 })
      .catch((e) => e)
    expect(performance.now() - started).toBeGreaterThanOrEqual(290)
    expect(err).toBeInstanceOf(UnknownServiceError)
  })

  it('the wait is taken from the first attempt: the call keeps its deadline', async () => {
    const redRpc = stack.redRpc()
    const seen: number[] = []
    await redRpc.registerService('slow_start', {
      left: (_p: unknown, ctx) => {
        seen.push(ctx.deadline - performance.now())
        return 'ok'
      },
    })
    const call = redRpc.getInstance('slow_start').callApi('left', undefined, { timeoutMs: 5_000 })
    await redRpc.getInstance('slow_start').ready()
    const waitStarted = performance.now()
    await new Promise((resolve) => setTimeout(resolve, 500)) // the provider starts late on purpose
    await redRpc.registerProvider('ss', { count: 1 })
    expect(await call).toBe('ok')
    expect(performance.now() - waitStarted).toBeGreaterThanOrEqual(500)
    expect(seen[0]).toBeLessThanOrEqual(4_550)
  })

  it('a waiting call rejects with CallAbortedError when its signal aborts', async () => {
    const redRpc = stack.redRpc()
    await redRpc.registerService('abortable', { ping: () => 'pong' })
    const controller = new AbortController()
    const call = redRpc.getInstance('abortable').callApi('ping', undefined, { signal: controller.signal })
    await redRpc.getInstance('abortable').ready()
    controller.abort()
    await expect(call).rejects.toBeInstanceOf(CallAbortedError)
  })
})
