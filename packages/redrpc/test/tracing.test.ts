import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { waitFor } from '@org/testkit'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loadOpenTelemetry } from '../src/telemetry/index.js'
import { type Stack, startStack } from './helpers.js'

const here = dirname(fileURLToPath(import.meta.url))
const exporter = new InMemorySpanExporter()
let stack: Stack
beforeAll(async () => {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }))
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  stack = await startStack()
})
afterAll(async () => {
  await stack?.stop()
  trace.disable()
  context.disable()
  propagation.disable()
})
beforeEach(() => exporter.reset())

const named = (name: string) => exporter.getFinishedSpans().filter((s) => s.name === name)
const one = (name: string): ReadableSpan => {
  const spans = named(name)
  expect(spans.map((s) => s.name)).toEqual([name])
  return spans[0] as ReadableSpan
}
const idOf = (s: ReadableSpan) => s.spanContext().spanId
const traceOf = (s: ReadableSpan) => s.spanContext().traceId

describe('a call is one trace: client span, server span, lock wait and hold, nested calls', () => {
  it('follows the RPC semantic conventions and carries the context in the metadata', async () => {
    const provider = stack.redRpc({ telemetry: true })
    await provider.registerService('tr_stock', { reserve: () => 'reserved' })
    await provider.registerService('tr_orders', {
      place: {
        lock: 'Resource_A',
        handler: async (_p: unknown, ctx) => ({
          stock: await ctx.call('tr_stock', 'reserve'),
          token: ctx.lock.fencingToken,
        }),
      },
    })
    await provider.registerProvider('tr_stock', { count: 1, service: 'tr_stock' })
    await provider.registerProvider('tr_orders', { count: 1, service: 'tr_orders' })
    const caller = stack.redRpc({ telemetry: true }, false)
    const { token } = (await caller.getInstance('tr_orders').callApi('place')) as { token: bigint }

    expect(named('tr_orders/place')).toHaveLength(2)
    const all = exporter.getFinishedSpans()
    const clientSpan = all.find((s) => s.name === 'tr_orders/place' && s.kind === SpanKind.CLIENT)
    const serverSpan = all.find((s) => s.name === 'tr_orders/place' && s.kind === SpanKind.SERVER)
    expect(clientSpan?.attributes).toMatchObject({
      'rpc.system': 'redrpc',
      'rpc.service': 'tr_orders',
      'rpc.method': 'place',
      'redrpc.provider': 'tr_orders-1',
      'redrpc.attempts': 1,
    })
    expect(clientSpan?.events.map((e) => e.name)).toEqual(['redrpc.attempt'])
    expect(serverSpan?.parentSpanContext?.spanId).toBe(idOf(clientSpan as ReadableSpan))
    expect(traceOf(serverSpan as ReadableSpan)).toBe(traceOf(clientSpan as ReadableSpan))
    const wait = one('redrpc.lock.wait')
    const hold = one('redrpc.lock.hold')
    for (const lockSpan of [wait, hold]) {
      expect(lockSpan.parentSpanContext?.spanId).toBe(idOf(serverSpan as ReadableSpan))
      expect(lockSpan.attributes).toMatchObject({
        'redrpc.lock.resources': ['Resource_A'],
        'redrpc.lock.fencing_token': `${token}`,
      })
      expect(lockSpan.attributes['redrpc.lock.waited_ms']).toBeGreaterThanOrEqual(0)
    }
    const nested = all.filter((s) => s.name === 'tr_stock/reserve')
    expect(nested.map((s) => s.kind).sort()).toEqual([SpanKind.CLIENT, SpanKind.SERVER].sort())
    const nestedClient = nested.find((s) => s.kind === SpanKind.CLIENT) as ReadableSpan
    expect(nestedClient.parentSpanContext?.spanId).toBe(idOf(serverSpan as ReadableSpan))
    expect(new Set(all.map(traceOf))).toEqual(new Set([traceOf(clientSpan as ReadableSpan)]))
  })

  it('a failed call has error status and an exception event on both sides', async () => {
    const provider = stack.redRpc({ telemetry: true })
    await provider.registerService('tr_fail', {
      boom: () => {
        throw new Error('kaput')
      },
    })
    await provider.registerProvider('tr_fail', { count: 1 })
    await expect(provider.getInstance('tr_fail').callApi('boom')).rejects.toThrow('kaput')
    await waitFor(() => named('tr_fail/boom').length === 2, { timeoutMs: 5_000, what: 'both spans' })
    for (const span of named('tr_fail/boom')) {
      expect(span.status.code).toBe(SpanStatusCode.ERROR)
      expect(span.events.some((e) => e.name === 'exception')).toBe(true)
      expect(span.attributes['error.type']).toBeTypeOf('string')
    }
  })

  it('spans two processes: the provider process exports its spans in the caller trace', async () => {
    const urls = stack.group.instances.map((i) => i.url)
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures', 'tracedProvider.ts')], {
      env: { ...process.env, REDIS_URL: stack.url, LOCK_URLS: urls.join(','), NAMESPACE: stack.namespace },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString()
    })
    try {
      await waitFor(() => out.includes('ready') || child.exitCode !== null, { timeoutMs: 20_000, what: 'the child' })
      expect(out).toContain('ready')
      const caller = stack.redRpc({ telemetry: true }, false)
      const token = await caller.getInstance('traced_child').callApi('locked')
      const childSpans = () =>
        out
          .split('\n')
          .filter((l) => l.startsWith('SPAN '))
          .map((l) => JSON.parse(l.slice(5)) as Record<string, unknown> & { attributes: Record<string, unknown> })
      await waitFor(() => childSpans().length >= 3, { timeoutMs: 10_000, what: "the child's spans" })
      const clientSpan = one('traced_child/locked')
      const server = childSpans().find((s) => s.name === 'traced_child/locked')
      expect(server).toMatchObject({
        kind: SpanKind.SERVER,
        traceId: traceOf(clientSpan),
        parentSpanId: idOf(clientSpan),
      })
      const wait = childSpans().find((s) => s.name === 'redrpc.lock.wait')
      expect(wait).toMatchObject({ traceId: traceOf(clientSpan), parentSpanId: server?.spanId })
      expect(wait?.attributes['redrpc.lock.fencing_token']).toBe(token)
    } finally {
      child.kill('SIGKILL')
    }
  })
})

describe('without @opentelemetry/api nothing changes', () => {
  it('a missing package loads as undefined, without throwing', async () => {
    await expect(loadOpenTelemetry('@opentelemetry/not-installed-here')).resolves.toBeUndefined()
    expect(await loadOpenTelemetry()).toBeDefined()
  })
})
