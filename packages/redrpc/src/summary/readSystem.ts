import { serviceKeys, servicesIndexKey } from '@org/registry'
import type { Cluster, Redis } from 'ioredis'
import type { BreakerState } from '../CircuitBreaker.js'
import { summaryKey } from './keys.js'
import { type ProviderSummary, parseSummary } from './ProviderSummary.js'

/** A provider as the registry and its summary show it. */
export interface ProviderView {
  id: string
  service: string
  /** `up`: its heartbeats arrive; `expired`: its deadline passed (crashed or stalled), not yet swept away. */
  status: 'up' | 'expired'
  weight: number
  /** Until the registry's deadline for its next heartbeat, by the Redis clock (ms; negative once passed). */
  deadlineInMs: number
  /** The worst state of the callers' breakers toward it, as the published summaries report them. */
  breaker: BreakerState
  /** Since its last heartbeat, by the Redis clock (ms); null when its summary (which holds its ttl) is missing. */
  heartbeatAgeMs: number | null
  /** The latest summary its process published; null when none is in Redis (summaries off, or not yet written). */
  summary: ProviderSummary | null
}

/** A service with its providers and their totals. */
export interface ServiceView {
  name: string
  version: string
  methods: string[]
  providers: ProviderView[]
  callsPerSec: number
  errorsPerSec: number
  errors: number
  inFlight: number
  /** The highest p50/p99 among its providers (ms), null when none has one. */
  p50: number | null
  p99: number | null
}

/** The whole RPC system as Redis holds it now. */
export interface SystemView {
  /** Redis' clock (ms) when it was read. */
  now: number
  namespace: string
  services: ServiceView[]
}

/**
 * Reads services, providers and their summaries from Redis alone: the registry's keys (see @org/registry's keys
 * table) and one summary key per provider. Read-only; a few commands per service.
 */
export async function readSystem(redis: Redis | Cluster, namespace: string): Promise<SystemView> {
  const [[seconds, micros], names] = await Promise.all([redis.time(), redis.smembers(servicesIndexKey(namespace))])
  const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)
  const services = await Promise.all(names.sort().map((name) => readService(redis, namespace, name, now)))
  markBreakers(services)
  return { now, namespace, services }
}

const SEVERITY: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 }

/** A breaker lives in each caller: a provider shows the worst state any published summary reports for it. */
function markBreakers(services: ServiceView[]): void {
  const worst = new Map<string, BreakerState>()
  for (const service of services) {
    for (const provider of service.providers) {
      for (const [id, state] of Object.entries(provider.summary?.breakers ?? {})) {
        if (SEVERITY[state] > SEVERITY[worst.get(id) ?? 'closed']) worst.set(id, state)
      }
    }
  }
  for (const service of services) for (const p of service.providers) p.breaker = worst.get(p.id) ?? 'closed'
}

async function readService(redis: Redis | Cluster, namespace: string, name: string, now: number): Promise<ServiceView> {
  const keys = serviceKeys(namespace, name)
  const [definition, alive, records] = await Promise.all([
    redis.get(keys.service),
    redis.zrange(keys.alive, 0, -1, 'WITHSCORES'),
    redis.hgetall(keys.providers),
  ])
  const deadlines = new Map<string, number>()
  for (let i = 0; i + 1 < alive.length; i += 2) deadlines.set(alive[i] as string, Number(alive[i + 1]))
  const ids = [...deadlines.keys()].sort()
  const summaries = ids.length > 0 ? await redis.mget(ids.map((id) => summaryKey(namespace, name, id))) : []
  const providers = ids.map((id, i): ProviderView => {
    const deadline = deadlines.get(id) as number
    const summary = parseSummary(summaries[i] ?? null) ?? null
    return {
      id,
      service: name,
      status: deadline > now ? 'up' : 'expired',
      weight: weightOf(records[id]),
      deadlineInMs: deadline - now,
      breaker: 'closed',
      // The registry stores a deadline (last heartbeat + ttl); the provider's ttl comes with its summary.
      heartbeatAgeMs: summary ? Math.max(0, now - (deadline - summary.ttlMs)) : null,
      summary: deadline > now ? summary : null,
    }
  })
  const def = parseDefinition(definition)
  const live = providers.flatMap((p) => (p.summary ? [p.summary] : []))
  const sum = (pick: (s: ProviderSummary) => number) => round(live.reduce((total, s) => total + pick(s), 0))
  const highest = (pick: (s: ProviderSummary) => number | null) =>
    live.reduce<number | null>((top, s) => {
      const v = pick(s)
      return v === null ? top : Math.max(top ?? v, v)
    }, null)
  return {
    name,
    version: def.version,
    methods: def.methods,
    providers,
    callsPerSec: sum((s) => s.callsPerSec),
    errorsPerSec: sum((s) => s.errorsPerSec),
    errors: sum((s) => s.errors),
    inFlight: sum((s) => s.inFlight),
    p50: highest((s) => s.p50),
    p99: highest((s) => s.p99),
  }
}

function parseDefinition(text: string | null): { version: string; methods: string[] } {
  try {
    const def = JSON.parse(text ?? 'null') as { version?: unknown; methods?: unknown } | null
    return {
      version: typeof def?.version === 'string' ? def.version : '?',
      methods: Array.isArray(def?.methods) ? def.methods.map(String) : [],
    }
  } catch {
    return { version: '?', methods: [] }
  }
}

function weightOf(record: string | undefined): number {
  try {
    const weight = (JSON.parse(record ?? 'null') as { weight?: unknown } | null)?.weight
    return typeof weight === 'number' ? weight : 0
  } catch {
    return 0
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100
}
