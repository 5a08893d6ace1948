import * as otel from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { lockTelemetry } from '../src/index.js'
import { fresh, useRedis } from './helpers.js'

const spans = new InMemorySpanExporter()
const reader = new PeriodicExportingMetricReader({
  exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
  exportIntervalMillis: 3_600_000,
})

beforeAll(() => {
  // Spans parented by the active one need a context manager, as in any traced Node service.
  otel.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  otel.trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }))
  otel.metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }))
})
afterAll(() => {
  otel.context.disable()
  otel.trace.disable()
  otel.metrics.disable()
})
beforeEach(() => spans.reset())

async function points(name: string): Promise<DataPoint<unknown>[]> {
  const { resourceMetrics } = await reader.collect()
  return (
    resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name)?.dataPoints ?? []
  )
}

describe('lockTelemetry: OpenTelemetry for a Redlock used on its own', () => {
  const redis = useRedis(3)

  it('one span per acquire, extend and release, with resources, ttl, fencing token and attempts', async () => {
    const redlock = redis.redlock()
    redlock.use(lockTelemetry(otel))
    const resource = fresh('traced')
    const lock = await redlock.acquire(resource, 5_000)
    await lock.extend(6_000)
    await lock.release()
    const finished = spans.getFinishedSpans()
    expect(finished.map((s) => s.name)).toEqual(['redlock.acquire', 'redlock.extend', 'redlock.release'])
    const [acquire, extend, release] = finished
    expect(acquire!.attributes).toMatchObject({
      'redlock.resources': [resource],
      'redlock.ttl_ms': 5_000,
      'redlock.waiting': 0,
      'redlock.fencing_token': `${lock.fencingToken}`,
      'redlock.attempts': 1,
    })
    expect(extend!.attributes).toMatchObject({ 'redlock.ttl_ms': 6_000 })
    expect(release!.attributes).toMatchObject({ 'redlock.held': true })
    // A release settles at a quorum: the instances counted are those that had answered by then.
    expect(release!.attributes['redlock.instances']).toBeGreaterThanOrEqual(2)
    expect(acquire!.status.code).toBe(otel.SpanStatusCode.UNSET)
  })

  it('a lock spans a parent it is taken under: the span active when acquire() is called', async () => {
    const redlock = redis.redlock()
    redlock.use(lockTelemetry(otel, { metrics: false }))
    const tracer = otel.trace.getTracer('test')
    await tracer.startActiveSpan('job', async (job) => {
      await (await redlock.acquire(fresh('child'), 5_000)).release()
      job.end()
    })
    const finished = spans.getFinishedSpans()
    const job = finished.find((s) => s.name === 'job')!
    const acquire = finished.find((s) => s.name === 'redlock.acquire')!
    expect(acquire.spanContext().traceId).toBe(job.spanContext().traceId)
    expect(acquire.parentSpanContext?.spanId).toBe(job.spanContext().spanId)
  })

  it('a failed acquire: error status and its reason as error.type; metrics count it by reason', async () => {
    const redlock = redis.redlock()
    redlock.use(lockTelemetry(otel))
    const resource = fresh('contended')
    const holder = await redis.redlock().acquire(resource, 10_000)
    await expect(redlock.acquire(resource, 5_000, { retryCount: 0 })).rejects.toMatchObject({ reason: 'locked' })
    await expect(redlock.acquire(resource, 5_000, { timeout: 100 })).rejects.toMatchObject({ reason: 'timeout' })
    const failed = spans.getFinishedSpans().filter((s) => s.name === 'redlock.acquire')
    expect(failed.map((s) => [s.status.code, s.attributes['error.type']])).toEqual([
      [otel.SpanStatusCode.ERROR, 'locked'],
      [otel.SpanStatusCode.ERROR, 'timeout'],
    ])
    const failures = await points('redlock.acquire.failures')
    const byReason = Object.fromEntries(failures.map((p) => [p.attributes['error.type'], p.value]))
    expect(byReason).toMatchObject({ locked: 1, timeout: 1 })
    await holder.release()
  })

  it('acquire and hold durations, and the waiters each acquire found here', async () => {
    const redlock = redis.redlock({ retryDelay: 20, retryJitter: 0 })
    redlock.use(lockTelemetry(otel, { tracing: false }))
    const resource = fresh('measured')
    const first = await redlock.acquire(resource, 10_000)
    const second = redlock.acquire(resource, 10_000, { timeout: 10_000 })
    await new Promise((resolve) => setTimeout(resolve, 30))
    await first.release()
    await (await second).release()
    const acquired = (await points('redlock.acquire.duration')).find(
      (p) => p.attributes['redlock.outcome'] === 'acquired',
    )
    expect((acquired?.value as Histogram | undefined)?.count).toBeGreaterThanOrEqual(2)
    const holds = (await points('redlock.hold.duration'))[0]?.value as Histogram | undefined
    expect(holds?.count).toBeGreaterThanOrEqual(2)
    expect(holds!.max).toBeGreaterThanOrEqual(25)
    const waiting = (await points('redlock.acquire.waiting'))[0]?.value as Histogram | undefined
    expect(waiting?.max).toBeGreaterThanOrEqual(0)
    expect(spans.getFinishedSpans()).toEqual([])
  })
})
