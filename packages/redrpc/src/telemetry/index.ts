import type { EventTap } from '../eventTap.js'
import type { HookSet, RedRpcHooks } from '../hooks/index.js'
import type { Log } from '../logging/index.js'
import { telemetryHooks } from './hooks.js'
import { loadOpenTelemetry } from './loadApi.js'
import type { TelemetryOptions } from './TelemetryOptions.js'

export { loadOpenTelemetry } from './loadApi.js'
export type { TelemetryOptions } from './TelemetryOptions.js'

/** The telemetry of one RedRpc, installed as hooks on it; `ready` resolves once `@opentelemetry/api` was looked for. */
export interface Telemetry {
  tap: EventTap
  ready: Promise<void>
}

/**
 * Registers tracing and metrics as the RedRpc's first hooks (outermost: they see what later hooks do, a refusal or
 * a cached answer included). `@opentelemetry/api` is loaded in the background: until then a placeholder holds their
 * place and makes calls wait for it (once); then the real hooks take its place, so later calls go straight to them.
 * Without the package, the placeholder removes itself and nothing else changes.
 */
export function installTelemetry(option: boolean | TelemetryOptions, hooks: HookSet, log: Log | undefined): Telemetry {
  const wanted = option === true ? {} : option === false ? { tracing: false, metrics: false } : option
  if (wanted === null || typeof wanted !== 'object') {
    throw new TypeError('options.telemetry must be a boolean or { tracing?, metrics? }')
  }
  const tracing = wanted.tracing ?? true
  const metrics = wanted.metrics ?? true
  if (!tracing && !metrics) return { tap: () => {}, ready: Promise.resolve() }
  let installed: RedRpcHooks = {}
  let tap: EventTap | undefined
  const placeholder: RedRpcHooks = {
    call: (ctx, next) => ready.then(() => (installed.call ? installed.call(ctx, next) : next())),
    handle: (ctx, next) => ready.then(() => (installed.handle ? installed.handle(ctx, next) : next())),
  }
  const remove = hooks.add(placeholder)
  const ready = loadOpenTelemetry().then((api) => {
    if (!api) {
      remove()
      log?.info('telemetry', 'telemetry asked for, but @opentelemetry/api is not installed: no traces or metrics')
      return
    }
    const made = telemetryHooks(api, { tracing, metrics })
    installed = { call: made.call, handle: made.handle }
    tap = made.tap
    hooks.replace(placeholder, installed)
    log?.debug('telemetry', 'OpenTelemetry on', { tracing, metrics })
  })
  return { tap: (event, args) => tap?.(event, args), ready }
}
