import type { EventTap } from '../eventTap.js'
import type { Log } from './Logger.js'

/** A repeated warning (the same class and code) is logged again at most this often, with the count of repeats. */
const REPEAT_MS = 60_000

/**
 * Logs what changes in the life of a `RedRpc`, once per change and never per call, from its events: the Redis
 * connection lost and recovered, providers up and down, adoptions, breaker changes, lost locks, and background
 * warnings (dead letters, failed watches) folded by kind. Returns the tap for the RedRpc's events.
 */
export function logLifecycle(log: Log): EventTap {
  const warnings = new Map<string, { at: number; repeats: number }>()
  const tap: EventTap = (event, args) => {
    const e = args[0] as unknown as Record<string, unknown>
    switch (event) {
      case 'connectionLost':
        return log.warn('connection', 'Redis connection lost', {
          redis: e.redis,
          reason: e.reason,
          error: (e.error as Error | undefined)?.message,
        })
      case 'connectionRecovered':
        return log.info('connection', 'Redis connection recovered', { redis: e.redis, downMs: e.downMs })
      case 'providerUp':
        return log.info('provider', 'provider up', { service: e.service, provider: e.provider })
      case 'providerDown': {
        const fields = { service: e.service, provider: e.provider, reason: e.reason }
        return e.reason === 'deregistered'
          ? log.info('provider', 'provider down', fields)
          : log.warn('provider', 'provider down', fields)
      }
      case 'adopted':
        return log.info('provider', 'inbox adopted', { service: e.service, provider: e.provider, by: e.by })
      case 'breakerOpen':
        return log.warn('breaker', 'circuit breaker open', { service: e.service, provider: e.provider })
      case 'breakerHalfOpen':
        return log.info('breaker', 'circuit breaker half-open', { service: e.service, provider: e.provider })
      case 'breakerClose':
        return log.info('breaker', 'circuit breaker closed', { service: e.service, provider: e.provider })
      case 'lockLost':
        return log.error('lock', 'lock lost while the handler ran', {
          service: e.service,
          method: e.method,
          provider: e.provider,
          resources: e.resources,
          error: e.error,
        })
      case 'warning':
        return warn(args[0] as unknown as Error)
    }
  }
  const warn = (err: Error) => {
    const code = (err as { code?: unknown }).code
    const kind = `${err?.name}:${typeof code === 'string' ? code : ''}`
    const now = performance.now()
    const seen = warnings.get(kind)
    if (seen && now - seen.at < REPEAT_MS) {
      seen.repeats++
      return
    }
    const fields: Record<string, unknown> = { error: err?.name, code, message: err?.message }
    if (seen && seen.repeats > 0) fields.repeats = seen.repeats
    warnings.set(kind, { at: now, repeats: 0 })
    log.warn('warning', err?.message ?? String(err), fields)
  }
  return tap
}
