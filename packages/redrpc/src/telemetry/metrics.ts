import type { Attributes } from '@opentelemetry/api'
import type { EventTap } from '../eventTap.js'
import type { CallHookContext, HandleHookContext, LockTrace, RedRpcHooks } from '../hooks/index.js'
import { errorType, INSTRUMENTATION, RPC_SYSTEM, rpcAttributes } from './attributes.js'
import type { OtelApi } from './loadApi.js'
import { whenSettled } from './whenSettled.js'

/**
 * Metrics through the OpenTelemetry metrics API: call durations on both sides by service, method and outcome, calls
 * in flight, retries, lock wait and hold, lock acquire failures by reason (from hooks); breaker transitions, live
 * providers and lost locks (from the RedRpc's events). The meter is taken from the global provider when this is
 * built: register yours before creating the RedRpc.
 */
export function metricsHooks(api: OtelApi): Required<RedRpcHooks> & { tap: EventTap } {
  const meter = api.metrics.getMeter(INSTRUMENTATION)
  const clientDuration = meter.createHistogram('rpc.client.duration', {
    unit: 'ms',
    description: 'Duration of calls as their callers saw them, retries included',
  })
  const serverDuration = meter.createHistogram('rpc.server.duration', {
    unit: 'ms',
    description: 'Duration of handler runs on providers, lock wait included',
  })
  const clientInFlight = meter.createUpDownCounter('redrpc.client.in_flight', { description: 'Calls running' })
  const serverInFlight = meter.createUpDownCounter('redrpc.server.in_flight', { description: 'Handlers running' })
  const retries = meter.createCounter('redrpc.client.retries', { description: 'Attempts after the first' })
  const breaker = meter.createCounter('redrpc.breaker.transitions', { description: 'Circuit breaker state changes' })
  const providers = meter.createUpDownCounter('redrpc.providers', { description: 'Live providers seen by callers' })
  const lockWait = meter.createHistogram('redrpc.lock.wait.duration', { unit: 'ms', description: 'Lock wait' })
  const lockHold = meter.createHistogram('redrpc.lock.hold.duration', { unit: 'ms', description: 'Lock held' })
  const lockFailures = meter.createCounter('redrpc.lock.acquire.failures', { description: 'Locks not acquired' })
  const lockLost = meter.createCounter('redrpc.lock.lost', { description: 'Locks lost while the handler ran' })

  const outcome = (base: Attributes, err: unknown): Attributes =>
    err === undefined
      ? { ...base, 'redrpc.outcome': 'ok' }
      : { ...base, 'redrpc.outcome': 'error', 'error.type': errorType(err) }

  const call = (ctx: CallHookContext, next: () => Promise<unknown>): Promise<unknown> => {
    const base = rpcAttributes(ctx.service, ctx.method)
    const started = performance.now()
    clientInFlight.add(1, base)
    const done = (err: unknown) => {
      clientInFlight.add(-1, base)
      clientDuration.record(performance.now() - started, outcome(base, err))
      if (ctx.attempts.length > 1) retries.add(ctx.attempts.length - 1, base)
    }
    return whenSettled(next(), done)
  }

  const handle = (ctx: HandleHookContext, next: () => Promise<unknown>): Promise<unknown> => {
    const base = rpcAttributes(ctx.service, ctx.method)
    const started = performance.now()
    serverInFlight.add(1, base)
    const done = (err: unknown) => {
      serverInFlight.add(-1, base)
      serverDuration.record(performance.now() - started, outcome(base, err))
      if (ctx.lock !== undefined) recordLock(base, ctx.lock)
    }
    return whenSettled(next(), done)
  }

  const recordLock = (base: Attributes, lock: LockTrace) => {
    const acquired = lock.acquiredAt !== undefined
    const waitEnd = lock.acquiredAt ?? lock.releasedAt ?? performance.now()
    lockWait.record(waitEnd - lock.waitStartedAt, { ...base, 'redrpc.lock.outcome': acquired ? 'acquired' : 'failed' })
    if (acquired) lockHold.record((lock.releasedAt ?? performance.now()) - (lock.acquiredAt as number), base)
    else lockFailures.add(1, { ...base, 'redrpc.lock.failure_reason': errorType(lock.error) })
  }

  const tap: EventTap = (event, args) => {
    const e = args[0] as unknown as Record<string, string>
    switch (event) {
      case 'providerUp':
        return providers.add(1, { 'rpc.system': RPC_SYSTEM, 'rpc.service': e.service })
      case 'providerDown':
        return providers.add(-1, { 'rpc.system': RPC_SYSTEM, 'rpc.service': e.service })
      case 'breakerOpen':
      case 'breakerHalfOpen':
      case 'breakerClose':
        return breaker.add(1, {
          'rpc.system': RPC_SYSTEM,
          'rpc.service': e.service,
          'redrpc.provider': e.provider,
          'redrpc.breaker.state': e.state,
        })
      case 'lockLost':
        return lockLost.add(1, rpcAttributes(e.service as string, e.method as string))
    }
  }

  return { call, handle, tap }
}
