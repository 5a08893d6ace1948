import type { TelemetryOptions } from '@org/redrpc'
import { registerOpenTelemetry } from './openTelemetry.js'

/**
 * The configurations whose cost the overhead part compares, each with its own namespace, service and providers:
 * nothing registered; one empty hook; the OpenTelemetry SDK set up in the process (context manager in use) with
 * RedRpc's telemetry off, as in an application already instrumented otherwise; RedRpc's metrics alone; RedRpc's tracing
 * and metrics on, every call traced; the same with a share of the traces sampled.
 */
export type Config = 'none' | 'hook' | 'sdk' | 'metrics' | 'otel' | 'sampled'

const ALL: readonly Config[] = ['none', 'hook', 'sdk', 'metrics', 'otel', 'sampled']

/**
 * The configurations run, the baseline first: all of them, or those named in REDRPC_BENCH_OVERHEAD_CONFIGS
 * (e.g. `sdk,otel`, for profiling; `none` is always run, as every ratio is to it).
 */
export const CONFIGS: readonly Config[] = ((wanted) =>
  wanted ? ALL.filter((c) => c === 'none' || wanted.includes(c)) : ALL)(
  process.env.REDRPC_BENCH_OVERHEAD_CONFIGS?.split(','),
)

/** Share of the traces kept in the `sampled` configuration. */
export const SAMPLED_RATIO = 0.1

/** What one configuration turns on, in a caller or a provider. */
export interface Setup {
  namespace: string
  service: string
  /** One empty hook on the side at hand (`call` in the caller, `handle` in a provider). */
  hook: boolean
  /** RedRpc's `telemetry` option. */
  telemetry: boolean | TelemetryOptions
}

/** Configurations with RedRpc's telemetry on (their rows are also compared with the SDK-only one). */
export const TELEMETRY: readonly Config[] = ['metrics', 'otel', 'sampled']

export const LABELS: Record<Config, string> = {
  none: 'nothing registered',
  hook: 'one empty hook (call + handle)',
  sdk: 'OpenTelemetry SDK in the process, RedRpc telemetry off',
  metrics: 'metrics only (`telemetry: { tracing: false }`)',
  otel: 'tracing + metrics, every call traced (ParentBased(AlwaysOn))',
  sampled: `tracing + metrics, ${SAMPLED_RATIO * 100}% of traces sampled (ParentBased(TraceIdRatioBased(${SAMPLED_RATIO})))`,
}

let registered = false

/** The setup of `config`; registers the OpenTelemetry SDK (once per process) when it needs it. */
export function overheadSetup(config: Config): Setup {
  const service = `bench_${config}`
  const telemetry = config === 'metrics' ? { tracing: false } : config === 'otel' || config === 'sampled'
  if ((telemetry || config === 'sdk') && !registered) {
    registerOpenTelemetry({ bench_sampled: SAMPLED_RATIO })
    registered = true
  }
  return { namespace: `bench-${config}`, service, hook: config === 'hook', telemetry }
}
