import type { EventTap } from '../eventTap.js'
import type { CallHook, HandleHook } from '../hooks/index.js'
import type { OtelApi } from './loadApi.js'
import { metrics as startMetrics } from './metrics.js'
import { Sites } from './sites.js'
import { tracing as startTracing, type Traced } from './tracing.js'
import { whenSettled } from './whenSettled.js'

/** Telemetry as one hook per side, and the tap that feeds event-driven metrics. */
export interface TelemetryHooks {
  call: CallHook
  handle: HandleHook
  tap: EventTap
}

/**
 * Tracing and metrics as a single hook per side: one clock read, one settle and one site lookup per call for both,
 * rather than a hook each, each wrapping the other in a promise.
 */
export function telemetryHooks(api: OtelApi, wanted: { tracing: boolean; metrics: boolean }): TelemetryHooks {
  const sites = new Sites()
  const tracing = wanted.tracing ? startTracing(api) : undefined
  const metrics = wanted.metrics ? startMetrics(api, sites) : undefined

  const call: CallHook = (ctx, next) => {
    const site = sites.of(ctx.service, ctx.method)
    const started = performance.now()
    site.clientInFlight++
    const traced: Traced | undefined = tracing?.startClient(site, ctx)
    // The call's own work (attempts, the transport) is not run inside the client span's context: the span reaches
    // the provider through the metadata, and a context switch per call would buy nothing else.
    return whenSettled(next(), (err) => {
      site.clientInFlight--
      metrics?.clientEnded(site, performance.now() - started, err, ctx.attempts.length)
      if (traced !== undefined) tracing!.endClient(traced, ctx, err)
    })
  }

  const handle: HandleHook = (ctx, next) => {
    const site = sites.of(ctx.service, ctx.method)
    const started = performance.now()
    site.serverInFlight++
    const traced: Traced | undefined = tracing?.startServer(site, ctx)
    const running = traced === undefined ? next() : tracing!.within(traced, next)
    return whenSettled(running, (err) => {
      site.serverInFlight--
      metrics?.serverEnded(site, performance.now() - started, err, ctx.lock)
      if (traced !== undefined) tracing!.endServer(traced, ctx, err)
    })
  }

  return { call, handle, tap: metrics?.tap ?? (() => {}) }
}
