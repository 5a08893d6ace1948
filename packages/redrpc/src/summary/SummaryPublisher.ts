import { hostname } from 'node:os'
import type { Registry } from '@org/registry'
import type { Cluster, Redis } from 'ioredis'
import type { StatsSnapshot } from '../Stats.js'
import { HandlerTimes } from './handlerTimes.js'
import { summaryKey } from './keys.js'
import type { ProviderSummary } from './ProviderSummary.js'

/** What the publisher needs from its RedRpc. */
export interface SummaryDeps {
  redis: Redis | Cluster
  registry: Registry
  namespace: string
  /** Period of the summaries (ms); 0 publishes none. */
  intervalMs: number
  heartbeatMs: number
  ttlMs: number
  stats(): StatsSnapshot
  /** The providers running in this process now. */
  providers(): readonly { id: string; service: string }[]
}

interface Previous {
  at: number
  calls: number
  errors: number
}

/**
 * Writes each local provider's summary to Redis every `intervalMs`, computed from in-memory counters only: one SET
 * per provider per period, nothing per call. A summary lives `intervalMs + ttlMs` (ms), so a crashed process'
 * summaries vanish soon after the registry finds its providers dead; a clean stop deletes them at once.
 */
export class SummaryPublisher {
  readonly handlerTimes = new HandlerTimes()
  readonly #deps: SummaryDeps
  readonly #startedAt = new Map<string, number>()
  readonly #previous = new Map<string, Previous>()
  readonly #versions = new Map<string, Promise<string>>()
  #timer: ReturnType<typeof setInterval> | undefined
  #closed = false

  constructor(deps: SummaryDeps) {
    this.#deps = deps
  }

  /** How long a summary stays after its last write (ms). */
  get keyTtlMs(): number {
    return this.#deps.intervalMs + this.#deps.ttlMs
  }

  /** Local providers changed: publish now (a new provider shows up at once), then every period. */
  refresh(): void {
    if (this.#closed || this.#deps.intervalMs === 0) return
    if (!this.#timer) {
      this.#timer = setInterval(() => void this.publish(), this.#deps.intervalMs)
      // Summaries must never keep a process alive.
      this.#timer.unref()
    }
    void this.publish()
  }

  /** Writes every local provider's summary once. Failures are dropped: the next period tries again. */
  async publish(): Promise<void> {
    const providers = this.#deps.providers()
    if (this.#closed || providers.length === 0) return
    const stats = this.#deps.stats()
    const breakers: ProviderSummary['breakers'] = {}
    for (const service of Object.values(stats.services)) {
      for (const [id, p] of Object.entries(service.providers)) if (p.breaker !== 'closed') breakers[id] = p.breaker
    }
    const records = await Promise.all(providers.map((p) => this.#summary(p.id, p.service, stats, breakers)))
    if (this.#closed) return
    // Only providers still running: one stopped meanwhile had its summary deleted (see `forget`).
    const running = new Set(this.#deps.providers().map((p) => p.id))
    const { redis, namespace } = this.#deps
    await Promise.allSettled(
      records
        .filter((r) => running.has(r.provider))
        .map((r) => redis.set(summaryKey(namespace, r.service, r.provider), JSON.stringify(r), 'PX', this.keyTtlMs)),
    )
  }

  /** Stops publishing and deletes the summaries of the providers still listed (a clean stop leaves no key). */
  async close(providers: readonly { id: string; service: string }[]): Promise<void> {
    this.#closed = true
    clearInterval(this.#timer)
    await this.forget(providers)
  }

  /**
   * Deletes the summaries of providers that stopped (they must be off the `providers()` list already). A write in
   * flight cannot bring one back: writes pick their providers from that list in the same turn as they are sent, and
   * one sent earlier reaches Redis before this delete on the same connection.
   */
  async forget(providers: readonly { id: string; service: string }[]): Promise<void> {
    for (const p of providers) {
      this.handlerTimes.delete(p.id)
      this.#previous.delete(p.id)
      this.#startedAt.delete(p.id)
    }
    if (providers.length === 0 || this.#deps.intervalMs === 0) return
    const { redis, namespace } = this.#deps
    await Promise.allSettled(providers.map((p) => redis.del(summaryKey(namespace, p.service, p.id))))
  }

  async #summary(
    provider: string,
    service: string,
    stats: StatsSnapshot,
    breakers: ProviderSummary['breakers'],
  ): Promise<ProviderSummary> {
    const now = Date.now()
    const served = stats.served[provider] ?? { calls: 0, errors: 0, inFlight: 0 }
    let startedAt = this.#startedAt.get(provider)
    if (startedAt === undefined) {
      startedAt = now
      this.#startedAt.set(provider, now)
    }
    const before = this.#previous.get(provider) ?? { at: startedAt, calls: 0, errors: 0 }
    this.#previous.set(provider, { at: now, calls: served.calls, errors: served.errors })
    const seconds = Math.max(now - before.at, 1) / 1000
    const times = this.handlerTimes.of(provider)
    const latency = times.calls > 0 ? times.snapshot() : undefined
    const { intervalMs, heartbeatMs, ttlMs } = this.#deps
    return {
      v: 1,
      service,
      provider,
      version: await this.#version(service),
      pid: process.pid,
      host: hostname(),
      startedAt,
      at: now,
      intervalMs,
      heartbeatMs,
      ttlMs,
      calls: served.calls,
      errors: served.errors,
      inFlight: served.inFlight,
      callsPerSec: round((served.calls - before.calls) / seconds),
      errorsPerSec: round((served.errors - before.errors) / seconds),
      p50: latency ? latency.p50 : null,
      p99: latency ? latency.p99 : null,
      breakers,
    }
  }

  /** The service's version, read from the registry once per service ('?' while it cannot be read). */
  #version(service: string): Promise<string> {
    let version = this.#versions.get(service)
    if (!version) {
      version = this.#deps.registry.getService(service).then(
        (s) => s.version,
        () => {
          this.#versions.delete(service)
          return '?'
        },
      )
      this.#versions.set(service, version)
    }
    return version
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100
}
