import { registerOpenTelemetry } from './openTelemetry.js'

/**
 * The configurations whose cost the overhead part compares, each with its own namespace, service and providers:
 * nothing registered; one empty hook; the OpenTelemetry SDK set up in the process (context manager in use) with
 * RedRpc's telemetry off, as in an application already instrumented otherwise; RedRpc's tracing and metrics on, every
 * call traced; the same with a share of the traces sampled.
 */
export type Config = 'none' | 'hook' | 'sdk' | 'otel' | 'sampled'

/** All of them, the baseline first. */
export const CONFIGS: readonly Config[] = ['none', 'hook', 'sdk', 'otel', 'sampled']

/** Share of the traces kept in the `sampled` configuration. */
export const SAMPLED_RATIO = 0.1

/** What one configuration turns on, in a caller or a provider. */
export interface Setup {
  namespace: string
  service: string
  /** One empty hook on the side at hand (`call` in the caller, `handle` in a provider). */
  hook: boolean
  telemetry: boolean
}

export const LABELS: Record<Config, string> = {
  none: 'nothing registered',
  hook: 'one empty hook (call + handle)',
  sdk: 'OpenTelemetry SDK in the process, RedRpc telemetry off',
  otel: 'tracing + metrics, every call traced',
  sampled: `tracing + metrics, ${SAMPLED_RATIO * 100}% of traces sampled`,
}

let registered = false

/** The setup of `config`; registers the OpenTelemetry SDK (once per process) when it needs it. */
export function overheadSetup(config: Config): Setup {
  const service = `bench_${config}`
  const telemetry = config === 'otel' || config === 'sampled'
  if ((telemetry || config === 'sdk') && !registered) {
    registerOpenTelemetry({ bench_sampled: SAMPLED_RATIO })
    registered = true
  }
  return { namespace: `bench-${config}`, service, hook: config === 'hook', telemetry }
}
