import type { EventTap } from '../eventTap.js'
import type { HookSet, RedRpcHooks } from '../hooks/index.js'
import type { Log } from '../logging/index.js'
import { telemetryHooks } from './hooks.js'
import { loadOpenTelemetry } from './loadApi.js'
import type { TelemetryOptions } from './TelemetryOptions.js'

export { loadOpenTelemetry } from './loadApi.js'
export type { TelemetryOptions } from './TelemetryOptions.js'

/** Most events kept while `@opentelemetry/api` loads (it takes a moment; a bound all the same). */
const MAX_EARLY_EVENTS = 1_000

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
  // Events heard before the API is loaded (a watch's first providers): replayed then, so the provider count is right.
  let early: Parameters<EventTap>[] | undefined = []
  const placeholder: RedRpcHooks = {
    call: (ctx, next) => ready.then(() => (installed.call ? installed.call(ctx, next) : next())),
    handle: (ctx, next) => ready.then(() => (installed.handle ? installed.handle(ctx, next) : next())),
  }
  const remove = hooks.add(placeholder)
  const ready = loadOpenTelemetry().then((api) => {
    if (!api) {
      early = undefined
      remove()
      log?.info('telemetry', 'telemetry asked for, but @opentelemetry/api is not installed: no traces or metrics')
      return
    }
    const made = telemetryHooks(api, { tracing, metrics })
    installed = { call: made.call, handle: made.handle }
    tap = made.tap
    for (const [event, args] of early ?? []) made.tap(event, args)
    early = undefined
    hooks.replace(placeholder, installed)
    log?.debug('telemetry', 'OpenTelemetry on', { tracing, metrics })
  })
  return {
    tap: (event, args) => {
      if (tap) tap(event, args)
      else if (early && early.length < MAX_EARLY_EVENTS) early.push([event, args] as Parameters<EventTap>)
    },
    ready,
  }
}
