import type { Lock } from '../Lock.js'
import type { RedlockHooks } from './types.js'

/** Attribute values as OpenTelemetry takes them. */
type AttributeValue = string | number | boolean | string[]
type Attributes = Record<string, AttributeValue>

/** The part of an OpenTelemetry span the lock hooks use. */
export interface TelemetrySpan {
  setAttribute(key: string, value: AttributeValue): unknown
  recordException(exception: Error): unknown
  setStatus(status: { code: number; message?: string }): unknown
  end(): void
}

/** The part of the `@opentelemetry/api` module the lock hooks use: pass the module itself (`import * as otel`). */
export interface OpenTelemetryApi {
  trace: {
    getTracer(name: string): {
      startSpan(name: string, options?: { kind?: number; attributes?: Attributes }): TelemetrySpan
    }
  }
  metrics: {
    getMeter(name: string): {
      createHistogram(
        name: string,
        options?: { unit?: string; description?: string },
      ): {
        record(value: number, attributes?: Attributes): void
      }
      createCounter(
        name: string,
        options?: { unit?: string; description?: string },
      ): {
        add(value: number, attributes?: Attributes): void
      }
    }
  }
}

/** What `lockTelemetry` makes; both on by default. */
export interface LockTelemetryOptions {
  /** Spans `redlock.acquire`, `redlock.extend`, `redlock.release`. Default true. */
  tracing?: boolean
  /** Acquire duration, hold duration, failures by reason, waiters seen. Default true. */
  metrics?: boolean
}

/** The name of the tracer and the meter. */
const INSTRUMENTATION = '@org/redlock'
// Stable values of the OpenTelemetry API (SpanKind.INTERNAL, SpanStatusCode.ERROR), so nothing of it is imported here.
const INTERNAL = 0
const ERROR = 2

/** `error.type` of a failure: its `reason` for the lock's own errors, else its stable `code` or its class. */
function errorType(err: unknown): string {
  const tagged = err as { reason?: unknown; code?: unknown } | null
  if (typeof tagged?.reason === 'string') return tagged.reason
  if (typeof tagged?.code === 'string') return tagged.code
  return err instanceof Error ? err.name : typeof err
}

function failed(span: TelemetrySpan, err: unknown): void {
  if (err instanceof Error) span.recordException(err)
  span.setAttribute('error.type', errorType(err))
  span.setStatus({ code: ERROR, message: err instanceof Error ? err.message : String(err) })
}

/**
 * OpenTelemetry spans and metrics for a Redlock used on its own, as hooks: `redlock.use(lockTelemetry(otel))`, where
 * `otel` is the `@opentelemetry/api` module (the tracer and meter providers you registered are used; with none, the
 * API's no-ops cost little). An acquire's span covers its whole wait and carries the resources, ttl, fencing token,
 * attempts and how many acquires of this Redlock already waited; a failed one its reason as `error.type`.
 *
 * Metrics: `redlock.acquire.duration` (ms, by `redlock.outcome`), `redlock.acquire.failures` (by `error.type`),
 * `redlock.hold.duration` (ms, acquire to release), `redlock.acquire.waiting` (waiters an acquire found: contention).
 */
export function lockTelemetry(api: OpenTelemetryApi, options: LockTelemetryOptions = {}): RedlockHooks {
  const tracer = options.tracing === false ? undefined : api.trace.getTracer(INSTRUMENTATION)
  const meter = options.metrics === false ? undefined : api.metrics.getMeter(INSTRUMENTATION)
  const acquireDuration = meter?.createHistogram('redlock.acquire.duration', { unit: 'ms', description: 'Acquire' })
  const holdDuration = meter?.createHistogram('redlock.hold.duration', {
    unit: 'ms',
    description: 'Acquire to release',
  })
  const failures = meter?.createCounter('redlock.acquire.failures', { description: 'Acquires that gave up' })
  const waiting = meter?.createHistogram('redlock.acquire.waiting', { description: 'Waiters an acquire found here' })
  const ACQUIRED = { 'redlock.outcome': 'acquired' }
  const FAILED = { 'redlock.outcome': 'failed' }
  /** When each lock was acquired (monotonic ms), for its hold duration. */
  const acquiredAt = new WeakMap<Lock, number>()

  /** Runs `next` in a span of its own (when tracing): `ended` adds what the result says, a failure its error. */
  const spanned = async <T>(
    name: string,
    attributes: Attributes,
    next: () => Promise<T>,
    ended?: (span: TelemetrySpan, result: T) => void,
  ): Promise<T> => {
    const span = tracer?.startSpan(name, { kind: INTERNAL, attributes })
    try {
      const result = await next()
      if (span) ended?.(span, result)
      return result
    } catch (err) {
      if (span) failed(span, err)
      throw err
    } finally {
      span?.end()
    }
  }

  return {
    async acquire(ctx, next) {
      waiting?.record(ctx.waiting)
      const attributes = {
        'redlock.resources': [...ctx.resources],
        'redlock.ttl_ms': ctx.ttl,
        'redlock.waiting': ctx.waiting,
      }
      try {
        const lock = await spanned('redlock.acquire', attributes, next, (span, held) => {
          span.setAttribute('redlock.fencing_token', `${held.fencingToken}`)
          span.setAttribute('redlock.attempts', held.attempts)
        })
        const at = performance.now()
        acquiredAt.set(lock, at)
        acquireDuration?.record(at - ctx.startedAt, ACQUIRED)
        return lock
      } catch (err) {
        acquireDuration?.record(performance.now() - ctx.startedAt, FAILED)
        failures?.add(1, { 'error.type': errorType(err) })
        throw err
      }
    },
    extend(ctx, next) {
      const attributes = { 'redlock.resources': [...ctx.lock.resources], 'redlock.ttl_ms': ctx.ttl }
      return spanned('redlock.extend', attributes, next)
    },
    release(ctx, next) {
      const at = acquiredAt.get(ctx.lock)
      if (at !== undefined) holdDuration?.record(performance.now() - at)
      const attributes = {
        'redlock.resources': [...ctx.lock.resources],
        'redlock.fencing_token': `${ctx.lock.fencingToken}`,
      }
      return spanned('redlock.release', attributes, next, (span, result) => {
        span.setAttribute('redlock.held', result.held)
        span.setAttribute('redlock.instances', result.instances)
      })
    },
  }
}
