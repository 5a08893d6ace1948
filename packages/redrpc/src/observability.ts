import type { EventTap } from './eventTap.js'
import type { HookSet } from './hooks/index.js'
import { logLifecycle, resolveLog } from './logging/index.js'
import type { ResolvedOptions } from './options.js'
import { installTelemetry } from './telemetry/index.js'

/** What a RedRpc turns on to be seen: its log and its telemetry, fed by its events (taps) and its hooks. */
export interface Observability {
  /** Called with every event the RedRpc emits (empty when logging and telemetry are off). */
  readonly taps: readonly EventTap[]
  /** Resolves once telemetry knows whether `@opentelemetry/api` is there (at once without telemetry). */
  readonly ready: Promise<void>
}

/** Starts logging (`logger` option or `DEBUG`) and telemetry (`telemetry` option) for a RedRpc; neither when off. */
export function startObservability(options: ResolvedOptions, hooks: HookSet): Observability {
  const log = resolveLog(options.logger)
  const taps: EventTap[] = []
  if (log) taps.push(logLifecycle(log))
  const telemetry = options.telemetry ? installTelemetry(options.telemetry, hooks, log) : undefined
  if (telemetry) taps.push(telemetry.tap)
  return { taps, ready: telemetry?.ready ?? Promise.resolve() }
}
