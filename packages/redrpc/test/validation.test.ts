import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { type StandardSchemaV1, ValidationError } from '../src/index.js'
import { type Stack, startStack } from './helpers.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack?.stop()
})

/** A Standard Schema written by hand: a positive integer given as a number or a numeric string; outputs a number. */
const positiveInt: StandardSchemaV1<number | string, number> = {
  '~standard': {
    version: 1,
    vendor: 'hand-written',
    validate(value) {
      const n = typeof value === 'string' ? Number(value) : value
      return typeof n === 'number' && Number.isInteger(n) && n > 0
        ? { value: n }
        : { issues: [{ message: 'expected a positive integer', path: ['count'] }] }
    },
  },
}

/** The same check, answered asynchronously (as a schema that looks something up would). */
const asyncPositiveInt: StandardSchemaV1<number | string, number> = {
  '~standard': {
    version: 1,
    vendor: 'hand-written',
    validate: async (value) => positiveInt['~standard'].validate(value),
  },
}

const order = z.object({ id: z.string().min(1), qty: z.coerce.number().int().positive() })

describe('params declared with a Standard Schema are checked before the handler runs', { timeout: 60_000 }, () => {
  it('the caller refuses invalid params with ValidationError listing the issues, and sends nothing', async () => {
    const redRpc = stack.redRpc()
    let runs = 0
    await redRpc.registerService('shop', {
      place: { params: order, handler: (p) => ++runs && p.qty },
      count: { params: positiveInt, handler: (n) => n * 2 },
    })
    await redRpc.registerProvider('shop', { count: 1 })
    const starts: string[] = []
    redRpc.on('callStart', (e) => starts.push(e.method))
    const shop = redRpc.getInstance('shop')
    const err = await shop.callApi('place', { id: '', qty: -1 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ValidationError)
    expect(err).toMatchObject({ service: 'shop', method: 'place', target: 'params', remote: false, notExecuted: true })
    expect((err as ValidationError).issues.map((i) => i.path)).toEqual([['id'], ['qty']])
    expect((err as Error).message).toMatch(/^shop\.place: invalid params: id: .*; qty: /)
    await expect(shop.callApi('count', { n: 1 } as never)).rejects.toThrow(/count: expected a positive integer/)
    expect(starts).toEqual([])
    expect(runs).toBe(0)
    expect(redRpc.stats().served['shop-1']?.calls).toBe(0)
  })

  it("the handler receives the schema's output value (coerced, transformed)", async () => {
    const redRpc = stack.redRpc()
    const seen: unknown[] = []
    await redRpc.registerService('coerce', {
      place: {
        params: order,
        handler: (p) => {
          seen.push(p)
          return p.qty * 10
        },
      },
      double: { params: asyncPositiveInt, handler: (n) => n * 2 },
    })
    await redRpc.registerProvider('co', { count: 1 })
    const service = redRpc.getInstance('coerce')
    expect(await service.callApi('place', { id: 'a', qty: '3' })).toBe(30)
    expect(seen).toEqual([{ id: 'a', qty: 3 }])
    expect(await service.api.double('21')).toBe(42)
    await expect(service.api.double(0)).rejects.toBeInstanceOf(ValidationError)
  })

  it('the provider checks again: a caller without the schema gets ValidationError, the handler does not run, no retry', async () => {
    const provider = stack.redRpc()
    let runs = 0
    await provider.registerService('remote_shop', {
      place: { params: order, idempotent: true, handler: () => ++runs },
      count: { params: asyncPositiveInt, handler: (n) => n },
    })
    await provider.registerProvider('rs', { count: 2 })
    // Another RedRpc, as in another process: it knows the service from the registry only, without its schemas.
    const caller = stack.redRpc({}, false)
    const attempts: number[] = []
    caller.on('callStart', (e) => attempts.push(e.attempt))
    const service = caller.getInstance('remote_shop')
    const err = await service.callApi('place', { id: 7, qty: 'x' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ValidationError)
    expect(err).toMatchObject({ target: 'params', remote: true, notExecuted: true, method: 'place' })
    expect((err as ValidationError).issues.map((i) => i.path)).toEqual([['id'], ['qty']])
    expect(attempts).toEqual([1])
    await expect(service.callApi('count', -3)).rejects.toMatchObject({ name: 'ValidationError', remote: true })
    expect(runs).toBe(0)
    expect(await service.callApi('place', { id: 'ok', qty: 2 })).toBe(1)
    // The caller's fault, not the provider's: breakers stay closed.
    expect(Object.values(caller.stats().services.remote_shop?.providers ?? {}).map((p) => p.breaker)).not.toContain(
      'open',
    )
  })

  it('a result schema is checked by the provider after the handler; the caller gets its output', async () => {
    const redRpc = stack.redRpc()
    await redRpc.registerService('results', {
      ok: { result: z.object({ at: z.string().transform((s) => s.length) }), handler: () => ({ at: 'abcd' }) },
      bad: { result: positiveInt, handler: () => -1 },
    })
    await redRpc.registerProvider('res', { count: 1 })
    const results = redRpc.getInstance('results')
    expect(await results.callApi('ok')).toEqual({ at: 4 })
    await expect(results.callApi('bad')).rejects.toMatchObject({
      name: 'ValidationError',
      target: 'result',
      notExecuted: false,
      remote: true,
    })
  })

  it('a lock function receives the checked params', async () => {
    const redRpc = stack.redRpc()
    const locked: string[] = []
    await redRpc.registerService('locked_schema', {
      take: {
        params: z.object({ name: z.enum(['Resource_A', 'Resource_B']) }),
        lock: (p) => {
          locked.push(p.name)
          return [p.name]
        },
        handler: (p, ctx) => `${p.name}:${ctx.lock.resources.join()}`,
      },
    })
    await redRpc.registerProvider('ls', { count: 1 })
    const caller = stack.redRpc({}, false).getInstance('locked_schema')
    expect(await caller.callApi('take', { name: 'Resource_B' })).toBe('Resource_B:Resource_B')
    await expect(caller.callApi('take', { name: 'Resource_Z' })).rejects.toBeInstanceOf(ValidationError)
    expect(locked).toEqual(['Resource_B'])
  })

  it('registration refuses a params or result that is not a Standard Schema', async () => {
    const redRpc = stack.redRpc()
    await expect(redRpc.registerService('s1', { m: { params: {} as never, handler: () => 1 } })).rejects.toThrow(
      /s1\.m'\.params must be a Standard Schema/,
    )
    const v0 = { '~standard': { version: 0, vendor: 'x', validate: () => ({ value: 1 }) } }
    await expect(redRpc.registerService('s2', { m: { result: v0 as never, handler: () => 1 } })).rejects.toThrow(
      TypeError,
    )
  })

  it('types flow from the schema: handler params are its output, api params its input', async () => {
    const redRpc = stack.redRpc()
    const ref = await redRpc.registerService('typed', {
      place: { params: order, handler: (p) => ({ total: p.qty }) },
      count: { params: positiveInt, result: positiveInt, handler: (n) => n + 1 },
      plain: (p: { a: number }) => p.a,
    })
    const api = redRpc.getInstance(ref).api
    expectTypeOf(api.place).parameter(0).toEqualTypeOf<z.input<typeof order> | undefined>()
    expectTypeOf(api.place).returns.resolves.toEqualTypeOf<{ total: number }>()
    expectTypeOf(api.count).parameter(0).toEqualTypeOf<number | string | undefined>()
    expectTypeOf(api.count).returns.resolves.toEqualTypeOf<number>()
    expectTypeOf(api.plain).parameter(0).toEqualTypeOf<{ a: number } | undefined>()
    // @ts-expect-error the handler's params are the schema's output: `nope` is not there
    await redRpc.registerService('typed2', { m: { params: order, handler: (p) => p.nope } })
  })
})
