/**
 * Registers an OpenTelemetry SDK globally, as an application would before creating its RedRpc: a tracer provider
 * whose spans go through a BatchSpanProcessor to an exporter that only counts them (so export costs nothing and the
 * count proves spans were made), a meter provider with a reader, the AsyncLocalStorage context manager and the W3C
 * propagator. The SDK packages are @org/redrpc's dev dependencies (this package does not list them), so they are
 * resolved from its folder; `@opentelemetry/api` keeps its registrations on a global symbol, so the copy loaded here
 * and the one RedRpc loads share them.
 */
import { createRequire } from 'node:module'

const load = createRequire(createRequire(import.meta.url).resolve('@org/redrpc/package.json'))

/** What `registerOpenTelemetry` sets up, as the overhead table states it. */
export const SDK_SETUP =
  'BasicTracerProvider with a BatchSpanProcessor (its defaults: queue 2,048, batches of 512, every 5 s) to an exporter that counts the spans; sampler ParentBased(AlwaysOn), or ParentBased(TraceIdRatioBased) for the sampled row; MeterProvider with a PeriodicExportingMetricReader every 10 s to an InMemoryMetricExporter (cumulative); AsyncLocalStorageContextManager; W3CTraceContextPropagator'

/** Spans the exporter was handed so far. */
export const exported = { spans: 0 }

/**
 * Every trace is recorded (AlwaysOn), except those started by calls to a service named in `ratios`, of which a
 * TraceIdRatioBased share is kept; under a ParentBased sampler, so a provider follows its caller's decision. One
 * process can thus run an always-traced and a sampled configuration side by side.
 */
export function registerOpenTelemetry(ratios: Record<string, number> = {}): void {
  const api = load('@opentelemetry/api')
  const trace = load('@opentelemetry/sdk-trace-base')
  const metrics = load('@opentelemetry/sdk-metrics')
  const { AsyncLocalStorageContextManager } = load('@opentelemetry/context-async-hooks')
  const { W3CTraceContextPropagator } = load('@opentelemetry/core')
  const exporter = {
    export(spans: unknown[], done: (result: { code: number }) => void) {
      exported.spans += spans.length
      done({ code: 0 })
    },
    shutdown: async () => {},
  }
  const always = new trace.AlwaysOnSampler()
  const byService = new Map(Object.entries(ratios).map(([s, r]) => [s, new trace.TraceIdRatioBasedSampler(r)]))
  const root = {
    shouldSample(...args: unknown[]) {
      const attributes = args[4] as Record<string, unknown> | undefined
      const sampler = byService.get(attributes?.['rpc.service'] as string) ?? always
      return sampler.shouldSample(...args)
    },
    toString: () => 'AlwaysOn, or TraceIdRatioBased by rpc.service',
  }
  api.trace.setGlobalTracerProvider(
    new trace.BasicTracerProvider({
      sampler: new trace.ParentBasedSampler({ root }),
      spanProcessors: [new trace.BatchSpanProcessor(exporter)],
    }),
  )
  const reader = new metrics.PeriodicExportingMetricReader({
    exporter: new metrics.InMemoryMetricExporter(metrics.AggregationTemporality.CUMULATIVE),
    exportIntervalMillis: 10_000,
  })
  api.metrics.setGlobalMeterProvider(new metrics.MeterProvider({ readers: [reader] }))
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  api.propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  // On Node 20 the context manager's AsyncLocalStorage turns on promise hooks for the whole process on its first
  // use; any instrumentation in an application uses it at once. So does this, for the `sdk` configuration.
  api.context.with(api.context.active(), () => {})
}
