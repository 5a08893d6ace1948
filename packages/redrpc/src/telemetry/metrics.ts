import type { EventTap } from '../eventTap.js'
import type { LockTrace } from '../hooks/index.js'
import { errorType, INSTRUMENTATION, RPC_SYSTEM } from './attributes.js'
import type { OtelApi } from './loadApi.js'
import type { Site, Sites } from './sites.js'

/** Metrics' part of the telemetry hooks, told when a call or a handler run ended; and the tap for the RedRpc's events. */
export interface Metrics {
  /** A call ended after `attempts` attempts, failed with `err` unless undefined. */
  clientEnded(site: Site, ms: number, err: unknown, attempts: number): void
  /** A handler run ended (its lock, for a lock-protected method). */
  serverEnded(site: Site, ms: number, err: unknown, lock: LockTrace | undefined): void
  tap: EventTap
}

/**
 * Metrics through the OpenTelemetry metrics API: call durations on both sides by service, method and outcome,
 * retries, lock wait and hold, lock acquire failures by reason (told by the hooks, one histogram record per call and
 * side, with the site's prebuilt attributes); calls in flight (gauges read from the sites' counters when collected,
 * nothing per call); breaker transitions, live providers and lost locks (from the RedRpc's events). The meter is
 * taken from the global provider when this is built: register yours before creating the RedRpc.
 */
export function metrics(api: OtelApi, sites: Sites): Metrics {
  const meter = api.metrics.getMeter(INSTRUMENTATION)
  const clientDuration = meter.createHistogram('rpc.client.duration', {
    unit: 'ms',
    description: 'Duration of calls as their callers saw them, retries included',
  })
  const serverDuration = meter.createHistogram('rpc.server.duration', {
    unit: 'ms',
    description: 'Duration of handler runs on providers, lock wait included',
  })
  const clientInFlight = meter.createObservableUpDownCounter('redrpc.client.in_flight', {
    description: 'Calls running',
  })
  const serverInFlight = meter.createObservableUpDownCounter('redrpc.server.in_flight', {
    description: 'Handlers running',
  })
  clientInFlight.addCallback((result) => {
    for (const site of sites.all()) result.observe(site.clientInFlight, site.attributes)
  })
  serverInFlight.addCallback((result) => {
    for (const site of sites.all()) result.observe(site.serverInFlight, site.attributes)
  })
  const retries = meter.createCounter('redrpc.client.retries', { description: 'Attempts after the first' })
  const breaker = meter.createCounter('redrpc.breaker.transitions', { description: 'Circuit breaker state changes' })
  const providers = meter.createUpDownCounter('redrpc.providers', { description: 'Live providers seen by callers' })
  const lockWait = meter.createHistogram('redrpc.lock.wait.duration', { unit: 'ms', description: 'Lock wait' })
  const lockHold = meter.createHistogram('redrpc.lock.hold.duration', { unit: 'ms', description: 'Lock held' })
  const lockFailures = meter.createCounter('redrpc.lock.acquire.failures', { description: 'Locks not acquired' })
  const lockLost = meter.createCounter('redrpc.lock.lost', { description: 'Locks lost while the handler ran' })

  const recordLock = (site: Site, lock: LockTrace) => {
    const acquired = lock.acquiredAt !== undefined
    const waitEnd = lock.acquiredAt ?? lock.releasedAt ?? performance.now()
    const base = site.attributes
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
        return lockLost.add(1, sites.of(e.service as string, e.method as string).attributes)
    }
  }

  return {
    clientEnded(site, ms, err, attempts) {
      clientDuration.record(ms, err === undefined ? site.ok : site.failed(err))
      if (attempts > 1) retries.add(attempts - 1, site.attributes)
    },
    serverEnded(site, ms, err, lock) {
      serverDuration.record(ms, err === undefined ? site.ok : site.failed(err))
      if (lock !== undefined) recordLock(site, lock)
    },
    tap,
  }
}
