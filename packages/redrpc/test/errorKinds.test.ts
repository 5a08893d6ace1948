import { TimeoutError as TransportTimeoutError } from '@org/transport'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isProviderFailure, isRetryable, toCallError } from '../src/callErrors.js'
import {
  CallAbortedError,
  CallFailedError,
  CallTimeoutError,
  RedisUnavailableError,
  RemoteCallError,
  UnknownServiceError,
} from '../src/index.js'
import { type Stack, startStack } from './helpers.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack?.stop()
})

const site = { service: 's', method: 'm', provider: 'p-1' }
const idempotent = { name: 'm', idempotent: true, locked: false } as unknown as Parameters<typeof isRetryable>[1]

describe('errors are told apart by class, never by name', () => {
  it('a foreign DOMException named TimeoutError or AbortError is not taken for the transport’s', () => {
    const timeout = toCallError(new DOMException('x', 'TimeoutError'), site, 100)
    expect(timeout).not.toBeInstanceOf(CallTimeoutError)
    expect(timeout).toBeInstanceOf(CallFailedError)
    const abort = toCallError(new DOMException('x', 'AbortError'), site, 100)
    expect(abort).not.toBeInstanceOf(CallAbortedError)
    // The transport's own are.
    expect(toCallError(new TransportTimeoutError('late'), site, 100)).toBeInstanceOf(CallTimeoutError)
  })

  it('an error merely named like a bad-input error is not taken for one', () => {
    const named = new Error('x')
    named.name = 'PayloadTooLargeError'
    const err = toCallError(named, site, 100)
    expect(isProviderFailure(err)).toBe(true)
    expect(isRetryable(err, idempotent)).toBe(true)
  })

  it('a handler throwing DOMExceptions gets RemoteCallError, is not retried, and does not open a breaker', async () => {
    const redRpc = stack.redRpc()
    let runs = 0
    await redRpc.registerService('ek_dom', {
      timeout: {
        idempotent: true,
        handler: () => {
          runs++
          throw new DOMException('the handler’s own', 'TimeoutError')
        },
      },
      abort: () => {
        throw new DOMException('the handler’s own', 'AbortError')
      },
    })
    await redRpc.registerProvider('ekd', { count: 2 })
    const api = redRpc.getInstance('ek_dom', { breaker: { failureThreshold: 1, cooldownMs: 60_000 } })
    const timeout = await api.callApi('timeout').catch((e: unknown) => e)
    expect(timeout).toBeInstanceOf(RemoteCallError)
    expect(timeout).toMatchObject({ remoteName: 'TimeoutError' })
    expect(runs).toBe(1)
    const abort = await api.callApi('abort').catch((e: unknown) => e)
    expect(abort).toBeInstanceOf(RemoteCallError)
    expect(abort).toMatchObject({ remoteName: 'AbortError' })
    const breakers = Object.values(redRpc.stats().services.ek_dom?.providers ?? {}).map((p) => p.breaker)
    expect(breakers.every((b) => b === 'closed')).toBe(true)
  })

  it('a caller’s signal aborted with a TimeoutError reason is a cancel, not a timeout', async () => {
    const redRpc = stack.redRpc()
    await redRpc.registerService('ek_signal', {
      slow: (_p: unknown, ctx) => new Promise((r) => ctx.signal.addEventListener('abort', r)),
    })
    await redRpc.registerProvider('eks', { count: 1 })
    const controller = new AbortController()
    const call = redRpc.getInstance('ek_signal').callApi('slow', undefined, { signal: controller.signal })
    controller.abort(new DOMException('the caller’s own', 'TimeoutError'))
    await expect(call).rejects.toBeInstanceOf(CallAbortedError)
  })

  it('a handler error carrying the transport’s UNKNOWN_METHOD code is not retried elsewhere as if never run', async () => {
    const redRpc = stack.redRpc()
    let runs = 0
    await redRpc.registerService('ek_code', {
      charge: () => {
        runs++
        throw Object.assign(new Error('no such product'), { code: 'UNKNOWN_METHOD' })
      },
    })
    await redRpc.registerProvider('ekc', { count: 2 })
    const err = await redRpc
      .getInstance('ek_code')
      .callApi('charge', undefined, { retries: 2 })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RemoteCallError)
    expect(runs).toBe(1)
  })

  it('a handler error named UnknownServiceError does not change the caller’s logic', async () => {
    const redRpc = stack.redRpc()
    await redRpc.registerService('ek_named', {
      fail: () => {
        const e = new Error('from the handler')
        e.name = 'UnknownServiceError'
        throw e
      },
      ok: () => 'ok',
    })
    await redRpc.registerProvider('ekn', { count: 1 })
    const api = redRpc.getInstance('ek_named')
    const err = await api.callApi('fail').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RemoteCallError)
    expect(err).not.toBeInstanceOf(UnknownServiceError)
    expect(await api.callApi('ok')).toBe('ok')
  })
})

describe('the transport’s own "Redis unavailable" error is recognised by its stable code', () => {
  it('becomes RedisUnavailableError, not retried and not a provider failure', async () => {
    const { TransportError } = await import('@org/transport')
    const err = Object.assign(
      new TransportError('REDIS_UNAVAILABLE', 'Redis at h:1 is unreachable', { notExecuted: true }),
      {
        address: 'h:1',
        reason: 'refused',
      },
    )
    const mapped = toCallError(err, site, 100)
    expect(mapped).toBeInstanceOf(RedisUnavailableError)
    expect(mapped).toMatchObject({ redis: 'h:1', reason: 'refused', notExecuted: true })
    expect(isRetryable(mapped, idempotent)).toBe(false)
    expect(isProviderFailure(mapped)).toBe(false)
  })
})
