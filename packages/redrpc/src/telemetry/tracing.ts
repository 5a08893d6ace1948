import type { Context, Span } from '@opentelemetry/api'
import type { CallHookContext, HandleHookContext, LockTrace } from '../hooks/index.js'
import { epochMs, errorType, INSTRUMENTATION } from './attributes.js'
import type { OtelApi } from './loadApi.js'
import type { Site } from './sites.js'

/** A span and the context in which what it covers runs. */
export interface Traced {
  readonly span: Span
  readonly active: Context
}

/** Tracing's part of the telemetry hooks: a span opened when a call or a handler run starts, closed when it ends. */
export interface Tracing {
  /** Opens the call's CLIENT span and writes its context into the call's metadata (W3C `traceparent`). */
  startClient(site: Site, ctx: CallHookContext): Traced
  /** Closes it: one `redrpc.attempt` event per attempt, the provider, and the error when it failed. */
  endClient(traced: Traced, ctx: CallHookContext, err: unknown): void
  /** Opens the handler run's SERVER span, child of the caller's span found in the request metadata. */
  startServer(site: Site, ctx: HandleHookContext): Traced
  /** Closes it, with the lock's wait and hold spans under it for a lock-protected method. */
  endServer(traced: Traced, ctx: HandleHookContext, err: unknown): void
  /**
   * Runs `next` with `traced`'s context active, so spans made under it (nested calls, the user's) are its children.
   * For the server span: the handler runs in it.
   */
  within(traced: Traced, next: () => Promise<unknown>): Promise<unknown>
}

/**
 * Tracing after the OpenTelemetry conventions for RPC. A call is one CLIENT span (`<service>/<method>`, an event per
 * attempt) whose context travels in the request metadata (by the globally registered propagator); the handler run
 * is a SERVER span in the same trace, and a lock-protected method adds `redrpc.lock.wait` and `redrpc.lock.hold`
 * spans under it. Spans start with the site's prebuilt attributes; what is known only at the end (provider,
 * attempts, the lock) is added only when the span records (a sampled-out span costs no more).
 */
export function tracing(api: OtelApi): Tracing {
  const { trace, context, propagation, SpanKind, SpanStatusCode, ROOT_CONTEXT } = api
  // A proxy tracer: it follows a tracer provider registered after this point.
  const tracer = trace.getTracer(INSTRUMENTATION)
  const clientOptions = (site: Site) => ({ kind: SpanKind.CLIENT, attributes: site.attributes })

  const failed = (span: Span, err: unknown) => {
    if (err instanceof Error) span.recordException(err)
    span.setAttribute('error.type', errorType(err))
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) })
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

  return {
    startClient(site, ctx) {
      const span = tracer.startSpan(site.spanName, clientOptions(site))
      const active = trace.setSpan(context.active(), span)
      propagation.inject(active, ctx.metadata)
      return { span, active }
    },
    endClient({ span }, ctx, err) {
      if (span.isRecording()) {
        attemptEvents(span, ctx)
        if (err !== undefined) failed(span, err)
      }
      span.end()
    },
    startServer(site, ctx) {
      const parent = propagation.extract(ROOT_CONTEXT, ctx.metadata)
      const options = { kind: SpanKind.SERVER, attributes: site.server(ctx.provider) }
      const span = tracer.startSpan(site.spanName, options, parent)
      // Only a re-delivered request says which delivery it is: the first is the rule.
      if (ctx.attempt > 1 && span.isRecording()) span.setAttribute('redrpc.attempt', ctx.attempt)
      return { span, active: trace.setSpan(parent, span) }
    },
    endServer({ span, active }, ctx, err) {
      if (span.isRecording()) {
        if (err !== undefined) failed(span, err)
        if (ctx.lock !== undefined) lockSpans(active, span, ctx.lock)
      }
      span.end()
    },
    within: ({ active }, next) => context.with(active, next),
  }
}

/** One event per attempt, at its start: provider, number, latency and error; then the call's provider and attempts. */
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
