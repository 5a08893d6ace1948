import { metrics } from '@opentelemetry/api'
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import { waitFor } from '@org/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HookSet } from '../src/hooks/index.js'
import { installTelemetry } from '../src/telemetry/index.js'
import { type Stack, startStack, work } from './helpers.js'

const reader = new PeriodicExportingMetricReader({
  exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
  exportIntervalMillis: 3_600_000,
})
let stack: Stack
beforeAll(async () => {
  // Registered before any RedRpc: the meter is taken from the global provider.
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }))
  stack = await startStack()
})
afterAll(async () => {
  await stack?.stop()
  metrics.disable()
})

async function points(name: string): Promise<DataPoint<unknown>[]> {
  const { resourceMetrics } = await reader.collect()
  const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name)
  return (metric?.dataPoints ?? []) as DataPoint<unknown>[]
}
const where = (list: DataPoint<unknown>[], attrs: Record<string, unknown>) =>
  list.filter((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v))

describe('metrics through the OpenTelemetry API', () => {
  it('call durations on both sides by service, method and outcome, and calls in flight', async () => {
    const provider = stack.redRpc({ telemetry: { tracing: false } })
    await provider.registerService('mt_calc', {
      ok: () => 1,
      fail: () => {
        throw new Error('no')
      },
    })
    await provider.registerProvider('mt_calc', { count: 1 })
    const api = provider.getInstance('mt_calc')
    await api.callApi('ok')
    await api.callApi('ok')
    await expect(api.callApi('fail')).rejects.toThrow('no')
    const client = await points('rpc.client.duration')
    const okClient = where(client, { 'rpc.service': 'mt_calc', 'rpc.method': 'ok', 'redrpc.outcome': 'ok' })
    expect((okClient[0]?.value as Histogram | undefined)?.count).toBe(2)
    expect(okClient[0]?.attributes['rpc.system']).toBe('redrpc')
    const failed = where(client, { 'rpc.method': 'fail', 'redrpc.outcome': 'error' })
    expect((failed[0]?.value as Histogram | undefined)?.count).toBe(1)
    expect(failed[0]?.attributes['error.type']).toBeTypeOf('string')
    const server = await points('rpc.server.duration')
    expect(
      (where(server, { 'rpc.method': 'ok', 'redrpc.outcome': 'ok' })[0]?.value as Histogram | undefined)?.count,
    ).toBe(2)
    const inFlight = await points('redrpc.client.in_flight')
    expect(where(inFlight, { 'rpc.method': 'ok' })[0]?.value).toBe(0)
    const providers = await points('redrpc.providers')
    expect(where(providers, { 'rpc.service': 'mt_calc' })[0]?.value).toBe(1)
  })

  it('lock wait and hold histograms, and acquire failures by reason', async () => {
    const provider = stack.redRpc({ telemetry: true })
    await provider.registerService('mt_lock', {
      hold: { lock: 'Resource_C', handler: async (p: { ms: number }) => work(p.ms) },
    })
    await provider.registerProvider('mt_lock', { count: 1, concurrency: 4 })
    const api = provider.getInstance('mt_lock')
    const long = api.callApi('hold', { ms: 600 })
    // Waits for the lock past its own deadline: the acquire gives up.
    await expect(api.callApi('hold', { ms: 0 }, { timeoutMs: 150, retries: 0 })).rejects.toThrow()
    await long
    await waitFor(async () => (await points('redrpc.lock.acquire.failures')).length > 0, {
      timeoutMs: 5_000,
      what: 'the acquire failure to be counted',
    })
    const failures = await points('redrpc.lock.acquire.failures')
    expect(where(failures, { 'rpc.service': 'mt_lock', 'rpc.method': 'hold' })[0]?.value).toBe(1)
    expect(failures[0]?.attributes['redrpc.lock.failure_reason']).toBeTypeOf('string')
    const hold = await points('redrpc.lock.hold.duration')
    const held = where(hold, { 'rpc.service': 'mt_lock' })[0]?.value as Histogram
    expect(held.count).toBe(1)
    expect(held.sum).toBeGreaterThanOrEqual(590)
    const wait = await points('redrpc.lock.wait.duration')
    expect(where(wait, { 'redrpc.lock.outcome': 'acquired' }).length).toBe(1)
    expect(where(wait, { 'redrpc.lock.outcome': 'failed' }).length).toBe(1)
  })

  it('providers seen before @opentelemetry/api is loaded are counted once it is', async () => {
    const telemetry = installTelemetry({ tracing: false }, new HookSet(), undefined)
    // Synchronously, before the API's dynamic import can have resolved.
    telemetry.tap('providerUp', [{ service: 'mt_early', provider: 'e-1' }])
    telemetry.tap('providerUp', [{ service: 'mt_early', provider: 'e-2' }])
    telemetry.tap('providerDown', [{ service: 'mt_early', provider: 'e-2', reason: 'expired' }])
    await telemetry.ready
    expect(where(await points('redrpc.providers'), { 'rpc.service': 'mt_early' })[0]?.value).toBe(1)
  })

  it('retries, breaker transitions by state, and the live providers as callers see them come and go', async () => {
    const options = {
      telemetry: { tracing: false },
      call: { timeoutMs: 200, retries: 1, retryDelayMs: 0, breaker: { failureThreshold: 1, cooldownMs: 60_000 } },
    }
    const provider = stack.redRpc(options)
    const methods = {
      // Hangs on mt_retry-1 (the caller's attempt times out), answers on the others.
      read: { idempotent: true, handler: (_p: unknown, ctx: { providerId: string }) => hangOn(ctx.providerId) },
    }
    await provider.registerService('mt_retry', methods)
    await provider.registerProvider('mt_retry', { count: 2 })
    const caller = stack.redRpc(options, false)
    // Always the first provider not tried yet (the list is sorted by id): mt_retry-1 first, then mt_retry-2.
    caller.registerLbPolicy('mt_first', {
      service: 'mt_retry',
      factory: () => ({
        policy: 'mt_first',
        pick: (endpoints, ctx) => endpoints.find((e) => !ctx?.exclude?.has(e.id)),
        onStart() {},
        onEnd() {},
      }),
    })
    const api = caller.getInstance('mt_retry')
    await api.ready()
    await waitFor(() => api.providers().length === 2, { timeoutMs: 10_000, what: 'both providers' })
    const providersSeen = async () =>
      where(await points('redrpc.providers'), { 'rpc.service': 'mt_retry' }).reduce(
        (n, p) => n + (p.value as number),
        0,
      )
    // Both RedRpcs watch the service (the provider's own adoption watch does not count): two callers see two each.
    expect(await providersSeen()).toBe(2)

    expect(await api.callApi('read')).toBe('mt_retry-2') // timed out on -1, retried on -2
    const retries = where(await points('redrpc.client.retries'), { 'rpc.service': 'mt_retry', 'rpc.method': 'read' })
    expect(retries[0]?.value).toBe(1)
    const transitions = where(await points('redrpc.breaker.transitions'), {
      'rpc.service': 'mt_retry',
      'redrpc.provider': 'mt_retry-1',
    })
    expect(transitions.map((p) => [p.attributes['redrpc.breaker.state'], p.value])).toEqual([['open', 1]])
    // -1's breaker is open: the next call goes to -2 at once, with no retry.
    expect(await api.callApi('read')).toBe('mt_retry-2')
    expect(where(await points('redrpc.client.retries'), { 'rpc.method': 'read' })[0]?.value).toBe(1)

    release()
    await provider.close()
    await waitFor(async () => (await providersSeen()) === 0, { timeoutMs: 10_000, what: 'the providers gone' })
  })
})

let release: () => void = () => {}
const released = new Promise<void>((resolve) => {
  release = resolve
})

/** A handler that answers on `mt_retry-1` only once released (long after its caller gave up), at once elsewhere. */
function hangOn(providerId: string): Promise<string> | string {
  return providerId === 'mt_retry-1' ? released.then(() => providerId) : providerId
}
