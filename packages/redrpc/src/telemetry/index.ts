import type { EventTap } from '../eventTap.js'
import { type CallHook, type HandleHook, type HookSet, runHooks } from '../hooks/index.js'
import type { Log } from '../logging/index.js'
import { loadOpenTelemetry } from './loadApi.js'
import { metricsHooks } from './metrics.js'
import type { TelemetryOptions } from './TelemetryOptions.js'
import { tracingHooks } from './tracing.js'

export { loadOpenTelemetry } from './loadApi.js'
export type { TelemetryOptions } from './TelemetryOptions.js'

/** The telemetry of one RedRpc, installed as hooks on it; `ready` resolves once `@opentelemetry/api` was looked for. */
export interface Telemetry {
  tap: EventTap
  ready: Promise<void>
}

/**
 * Registers tracing and metrics as the RedRpc's first hooks (outermost: they see what later hooks do, a refusal or
 * a cached answer included). `@opentelemetry/api` is loaded in the background; calls made before it is loaded wait
 * for it (once); without it, the hooks remove themselves and nothing else changes.
 */
export function installTelemetry(option: boolean | TelemetryOptions, hooks: HookSet, log: Log | undefined): Telemetry {
  const wanted = option === true ? {} : option === false ? { tracing: false, metrics: false } : option
  if (wanted === null || typeof wanted !== 'object') {
    throw new TypeError('options.telemetry must be a boolean or { tracing?, metrics? }')
  }
  const tracing = wanted.tracing ?? true
  const metrics = wanted.metrics ?? true
  let calls: CallHook[] | undefined
  let handles: HandleHook[] | undefined
  let tap: EventTap | undefined
  const ready = loadOpenTelemetry().then((api) => {
    if (!api) {
      remove()
      log?.info('telemetry', 'telemetry asked for, but @opentelemetry/api is not installed: no traces or metrics')
      return
    }
    const t = tracing ? tracingHooks(api) : undefined
    const m = metrics ? metricsHooks(api) : undefined
    calls = [t?.call, m?.call].filter((h) => h !== undefined)
    handles = [t?.handle, m?.handle].filter((h) => h !== undefined)
    tap = m?.tap
    log?.debug('telemetry', 'OpenTelemetry on', { tracing, metrics })
  })
  const remove =
    tracing || metrics
      ? hooks.add({
          call: (ctx, next) =>
            calls ? runHooks(calls, ctx, next) : ready.then(() => runHooks(calls ?? [], ctx, next)),
          handle: (ctx, next) =>
            handles ? runHooks(handles, ctx, next) : ready.then(() => runHooks(handles ?? [], ctx, next)),
        })
      : () => {}
  return { tap: (event, args) => tap?.(event, args), ready }
}
