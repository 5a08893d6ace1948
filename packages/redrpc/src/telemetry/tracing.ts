import type { Context, Span } from '@opentelemetry/api'
import type { CallHookContext, HandleHookContext, LockTrace, RedRpcHooks } from '../hooks/index.js'
import { epochMs, errorType, INSTRUMENTATION, rpcAttributes } from './attributes.js'
import type { OtelApi } from './loadApi.js'
import { whenSettled } from './whenSettled.js'

/**
 * Tracing as hooks. A call is one CLIENT span (`<service>/<method>`, with an event per attempt) whose context travels
 * in the request metadata (`traceparent`/`tracestate`, by the globally registered propagator); the handler run is a
 * SERVER span in the same trace, and a lock-protected method adds `redrpc.lock.wait` and `redrpc.lock.hold` spans
 * under it. The handler runs in the server span's context, so its nested calls (and the user's own spans) are its
 * children.
 */
export function tracingHooks(api: OtelApi): Required<RedRpcHooks> {
  const { trace, context, propagation, SpanKind, SpanStatusCode, ROOT_CONTEXT } = api
  // A proxy tracer: it follows a tracer provider registered after this point.
  const tracer = trace.getTracer(INSTRUMENTATION)

  const failed = (span: Span, err: unknown) => {
    if (err instanceof Error) span.recordException(err)
    span.setAttribute('error.type', errorType(err))
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) })
  }

  /** Runs `next` with `span` active, marks the span failed when it throws, and ends it (`end`) either way. */
  const runInSpan = (span: Span, active: Context, next: () => Promise<unknown>, end: () => void) =>
    whenSettled(context.with(active, next), (err) => {
      if (err !== undefined) failed(span, err)
      end()
    })

  const call = (ctx: CallHookContext, next: () => Promise<unknown>): Promise<unknown> => {
    const span = tracer.startSpan(`${ctx.service}/${ctx.method}`, {
      kind: SpanKind.CLIENT,
      attributes: rpcAttributes(ctx.service, ctx.method),
    })
    const active = trace.setSpan(context.active(), span)
    propagation.inject(active, ctx.metadata)
    const end = () => {
      if (span.isRecording()) attemptEvents(span, ctx)
      span.end()
    }
    return runInSpan(span, active, next, end)
  }

  const handle = (ctx: HandleHookContext, next: () => Promise<unknown>): Promise<unknown> => {
    const parent = propagation.extract(ROOT_CONTEXT, ctx.metadata)
    const span = tracer.startSpan(
      `${ctx.service}/${ctx.method}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          ...rpcAttributes(ctx.service, ctx.method),
          'redrpc.provider': ctx.provider,
          'redrpc.attempt': ctx.attempt,
          'redrpc.request_id': ctx.requestId,
        },
      },
      parent,
    )
    const active = trace.setSpan(parent, span)
    const end = () => {
      if (ctx.lock !== undefined && span.isRecording()) lockSpans(active, span, ctx.lock)
      span.end()
    }
    return runInSpan(span, active, next, end)
  }

  /** The lock's wait and hold, recorded once it is released (their times were noted as they happened). */
  const lockSpans = (active: Context, server: Span, lock: LockTrace) => {
    const attributes = {
      'redrpc.lock.resources': [...lock.resources],
      'redrpc.lock.waited_ms':
        Math.round(((lock.acquiredAt ?? lock.releasedAt ?? 0) - lock.waitStartedAt) * 1000) / 1000,
      ...(lock.fencingToken === undefined ? {} : { 'redrpc.lock.fencing_token': `${lock.fencingToken}` }),
      ...(lock.attempts === undefined ? {} : { 'redrpc.lock.attempts': lock.attempts }),
    }
    server.setAttributes(attributes)
    const wait = tracer.startSpan('redrpc.lock.wait', { startTime: epochMs(lock.waitStartedAt), attributes }, active)
    if (lock.error !== undefined) failed(wait, lock.error)
    wait.end(epochMs(lock.acquiredAt ?? lock.releasedAt ?? performance.now()))
    if (lock.acquiredAt === undefined) return
    const hold = tracer.startSpan('redrpc.lock.hold', { startTime: epochMs(lock.acquiredAt), attributes }, active)
    if (lock.lost) {
      hold.addEvent('redrpc.lock.lost')
      hold.setStatus({ code: SpanStatusCode.ERROR, message: 'the lock was lost while the handler ran' })
    }
    hold.end(epochMs(lock.releasedAt ?? performance.now()))
  }

  return { call, handle }
}

/** One event per attempt, at its start: provider, number, latency and error. */
function attemptEvents(span: Span, ctx: CallHookContext): void {
  for (const a of ctx.attempts) {
    const attributes: Record<string, string | number> = { 'redrpc.attempt': a.attempt, 'redrpc.provider': a.provider }
    if (a.latencyMs !== undefined) attributes['redrpc.latency_ms'] = Math.round(a.latencyMs * 1000) / 1000
    if (a.error !== undefined) attributes['error.type'] = errorType(a.error)
    span.addEvent('redrpc.attempt', attributes, epochMs(a.startedAt))
  }
  if (ctx.provider !== undefined) span.setAttribute('redrpc.provider', ctx.provider)
  span.setAttribute('redrpc.attempts', ctx.attempts.length)
}
