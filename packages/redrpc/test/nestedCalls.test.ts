import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CallAbortedError, CallTimeoutError } from '../src/index.js'
import { type Stack, startStack, work } from './helpers.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack?.stop()
})

/** What the inner service saw of its call. */
interface Seen {
  metadata: Record<string, unknown>
  leftMs: number
  deadline: number
}

describe("a handler's ctx.call reaches other services within the outer call's deadline", { timeout: 60_000 }, () => {
  it('forwards the metadata (merged with its own) and caps the timeout to the time left', async () => {
    const inner = stack.redRpc()
    const innerRef = await inner.registerService('inner', {
      look: (_p: unknown, ctx): Seen => ({
        metadata: { ...ctx.metadata },
        leftMs: ctx.deadline - performance.now(),
        deadline: ctx.deadline,
      }),
      sleep: async (p: { ms: number }, ctx) => {
        await work(p.ms)
        return ctx.signal.aborted
      },
    })
    await inner.registerProvider('in', { count: 1 })
    const outer = stack.redRpc()
    await outer.registerService('outer', {
      relay: async (_p: unknown, ctx) => {
        const plain = await ctx.call<Seen>('inner', 'look')
        const merged = await ctx.call(innerRef, 'look', undefined, {
          metadata: { hop: 2, tenant: 'b' },
          timeoutMs: 60_000,
        })
        return { plain, merged, outerDeadline: ctx.deadline }
      },
    })
    await outer.registerProvider('out', { count: 1 })
    const caller = stack.redRpc({}, false)
    const r = (await caller
      .getInstance('outer')
      .callApi('relay', undefined, { timeoutMs: 3_000, metadata: { trace: 't-1', tenant: 'a' } })) as {
      plain: Seen
      merged: Seen
      outerDeadline: number
    }
    expect(r.plain.metadata).toEqual({ trace: 't-1', tenant: 'a' })
    expect(r.merged.metadata).toEqual({ trace: 't-1', tenant: 'b', hop: 2 })
    // The nested deadlines fall within the outer one, even when asked for 60 s. Each provider maps the deadline from
    // Redis' clock onto its own, within about a round trip: the slack allows for that under load, not for 60 s.
    expect(r.plain.deadline).toBeLessThanOrEqual(r.outerDeadline + 50)
    expect(r.merged.deadline).toBeLessThanOrEqual(r.outerDeadline + 50)
    expect(r.merged.leftMs).toBeLessThan(3_000)
  })

  it('a nested call still running when the outer deadline passes is cancelled', async () => {
    const redRpc = stack.redRpc()
    await redRpc.registerService('slow_inner', { sleep: async (p: { ms: number }) => work(p.ms).then(() => 'late') })
    await redRpc.registerService('impatient', {
      relay: async (_p: unknown, ctx) => ctx.call('slow_inner', 'sleep', { ms: 2_000 }).catch((e: Error) => e.name),
      tooLate: async (_p: unknown, ctx) => {
        await work(ctx.deadline - performance.now() + 20)
        return ctx.call('slow_inner', 'sleep', { ms: 1 }).catch((e: Error) => e)
      },
    })
    await redRpc.registerProvider('si', { count: 1, service: 'slow_inner' })
    await redRpc.registerProvider('im', { count: 1, service: 'impatient' })
    const nestedEnds: string[] = []
    redRpc.on('callEnd', (e) => {
      if (e.service === 'slow_inner') nestedEnds.push(e.error?.name ?? 'ok')
    })
    const started = performance.now()
    const outcome = await redRpc
      .getInstance('impatient')
      .callApi('relay', undefined, { timeoutMs: 300 })
      .catch((e: Error) => e)
    // The nested call stopped at the outer deadline, not after its 2 s of work: either the handler saw it cancelled
    // and answered in time, or the outer caller timed out first.
    expect(performance.now() - started).toBeLessThan(1_500)
    if (outcome instanceof Error) expect(outcome).toBeInstanceOf(CallTimeoutError)
    else expect(['CallAbortedError', 'CallTimeoutError']).toContain(outcome)
    await expect.poll(() => nestedEnds, { timeout: 2_000 }).toHaveLength(1)
    expect(['CallAbortedError', 'CallTimeoutError']).toContain(nestedEnds[0])
    const err = await redRpc
      .getInstance('impatient')
      .callApi('tooLate', undefined, { timeoutMs: 200 })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CallTimeoutError)
  })

  it('a lock-protected handler calls out too; bad options are refused before sending', async () => {
    const redRpc = stack.redRpc()
    await redRpc.registerService('echo_meta', { meta: (_p: unknown, ctx) => ctx.metadata })
    await redRpc.registerService('guarded', {
      take: {
        lock: 'Resource_C',
        handler: async (_p: unknown, ctx) => {
          const { call } = ctx
          const seen = await call('echo_meta', 'meta', undefined, {
            metadata: { token: String(ctx.lock.fencingToken) },
          })
          const bad = await call('echo_meta', 'meta', undefined, { timeoutMs: -1 }).catch((e: Error) => e.name)
          return { seen, bad }
        },
      },
    })
    await redRpc.registerProvider('em', { count: 1, service: 'echo_meta' })
    await redRpc.registerProvider('gd', { count: 1, service: 'guarded' })
    const r = (await redRpc.getInstance('guarded').callApi('take', undefined, { metadata: { who: 'me' } })) as {
      seen: Record<string, unknown>
      bad: string
    }
    expect(r.seen).toMatchObject({ who: 'me', token: expect.any(String) })
    expect(r.bad).toBe('RangeError')
  })

  it('a nested call is cancelled with its outer call', async () => {
    const redRpc = stack.redRpc()
    await redRpc.registerService('inner2', {
      wait: (_p: unknown, ctx) =>
        new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true })),
    })
    await redRpc.registerService('outer2', {
      relay: (_p: unknown, ctx) => ctx.call('inner2', 'wait', undefined, { timeoutMs: 500 }),
    })
    await redRpc.registerProvider('i2', { count: 1, service: 'inner2' })
    await redRpc.registerProvider('o2', { count: 1, service: 'outer2' })
    const controller = new AbortController()
    const started = redRpc.getInstance('outer2').callApi('relay', undefined, { signal: controller.signal })
    // Cancel once the nested call has started.
    await new Promise<void>((resolve) => {
      redRpc.on('callStart', (e) => {
        if (e.service === 'inner2') resolve()
      })
    })
    controller.abort()
    await expect(started).rejects.toBeInstanceOf(CallAbortedError)
  })
})
