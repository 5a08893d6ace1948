/**
 * `pnpm demo --trace`: an OpenTelemetry SDK registered as an application would (before its RedRpc exists), keeping
 * finished spans in memory, so the demo can print one call's trace as a tree. The SDK packages are this package's
 * dev dependencies; RedRpc itself needs only `@opentelemetry/api`.
 */
import { context, propagation, SpanStatusCode, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { hrTimeToMilliseconds, W3CTraceContextPropagator } from '@opentelemetry/core'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { type SpanLine, traceTree } from './traceTree.js'

/** Registers the tracer, context manager and propagator; returns how to print a trace from the spans kept. */
export function startDemoTracing(): { printTrace(name: string): string[] } {
  const exporter = new InMemorySpanExporter()
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }))
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  return {
    /** The tree of the trace of the last finished span named `name`. */
    printTrace(name) {
      const spans = exporter.getFinishedSpans()
      const last = spans.filter((s) => s.name === name).at(-1)
      if (!last) return [`(no span named ${name})`]
      const traceId = last.spanContext().traceId
      const lines: SpanLine[] = spans
        .filter((s) => s.spanContext().traceId === traceId)
        .map((s) => ({
          name: s.name,
          kind: s.kind,
          spanId: s.spanContext().spanId,
          parentSpanId: s.parentSpanContext?.spanId,
          startMs: hrTimeToMilliseconds(s.startTime),
          durationMs: hrTimeToMilliseconds(s.duration),
          attributes: s.attributes,
          failed: s.status.code === SpanStatusCode.ERROR,
        }))
      return [`trace ${traceId}`, ...traceTree(lines)]
    },
  }
}
