import type { Redis } from 'ioredis'
import { type LockInstance, type LockView, readLocks } from '../summary/readLocks.js'
import { type ProviderView, readSystem, type ServiceView } from '../summary/readSystem.js'

/** A provider on the page: as the registry has it, or `gone` once it left the registry or its heartbeats stopped. */
export interface PageProvider extends Omit<ProviderView, 'status'> {
  status: 'up' | 'gone'
  /** Why it is gone: its heartbeats stopped (crashed or stalled) or it left the registry. */
  goneReason?: 'heartbeats stopped' | 'left the registry'
  /** This dashboard's clock (ms) when it was first seen gone. */
  goneAt?: number
}

export interface PageService extends Omit<ServiceView, 'providers'> {
  providers: PageProvider[]
}

export interface PageLock extends LockView {
  /** How long this holder has had it, as far as this dashboard saw (ms). */
  heldForMs: number
}

/** What the page receives once per period. */
export interface PageState {
  /** This dashboard's clock (ms). */
  at: number
  namespace: string
  intervalMs: number
  services: PageService[]
  /** Null when no Redis of the Redlock was given. */
  locks: PageLock[] | null
  /** Why the last read failed; the rest is the last good read. */
  error?: string
}

/** A point of the charts: per service, at one time. */
export interface HistoryPoint {
  at: number
  services: Record<string, { callsPerSec: number; errorsPerSec: number; p99: number | null; inFlight: number }>
}

export interface LiveStateOptions {
  redis: Redis
  namespace: string
  lockInstances: readonly LockInstance[]
  prefix: string
  intervalMs: number
}

/** How long a gone provider stays on the page. */
const GONE_KEPT_MS = 60_000
/** Read this long after a deadline, so the read sees it passed on the Redis clock. */
const DEADLINE_SLACK_MS = 25
/** Chart points kept: two minutes at the default period. */
const HISTORY = 120

/**
 * Reads Redis every period and remembers what one read cannot tell: providers that vanished (shown as gone for a
 * minute), how long each lock holder has held, and the recent points of the charts.
 */
export class LiveState {
  readonly #options: LiveStateOptions
  /** Every provider shown, with this dashboard's clock when it was read. */
  readonly #seen = new Map<string, { provider: PageProvider; at: number }>()
  readonly #holders = new Map<string, { holder: string; since: number }>()
  readonly history: HistoryPoint[] = []
  state: PageState

  constructor(options: LiveStateOptions) {
    this.#options = options
    const locks = options.lockInstances.length > 0 ? [] : null
    this.state = { at: Date.now(), namespace: options.namespace, intervalMs: options.intervalMs, services: [], locks }
  }

  /**
   * Reads Redis once and updates the state; a failed read keeps the last state with the error. Returns the new chart
   * point, when this read adds one (at most one per period: reads at a heartbeat deadline add none).
   */
  async refresh(): Promise<HistoryPoint | undefined> {
    const { redis, namespace, lockInstances, prefix, intervalMs } = this.#options
    const at = Date.now()
    try {
      const [system, locks] = await Promise.all([
        readSystem(redis, namespace),
        lockInstances.length > 0 ? readLocks(lockInstances, prefix) : Promise.resolve(null),
      ])
      const services = this.#withGone(system.services, at)
      this.state = { at, namespace, intervalMs, services, locks: this.#held(locks, at) }
      const last = this.history.at(-1)
      return !last || at - last.at >= intervalMs * 0.9 ? this.#record(at) : undefined
    } catch (err) {
      this.state = { ...this.state, at, error: (err as Error).message }
      return undefined
    }
  }

  /**
   * When to read Redis next: after one period, or just after the earliest heartbeat deadline of a provider shown up
   * when that comes first, so a provider that died is shown gone as soon as the registry's rule says it is.
   */
  nextReadInMs(): number {
    let next = this.#options.intervalMs
    for (const s of this.state.services) {
      for (const p of s.providers) if (p.status === 'up') next = Math.min(next, p.deadlineInMs + DEADLINE_SLACK_MS)
    }
    return Math.max(next, DEADLINE_SLACK_MS)
  }

  #withGone(services: readonly ServiceView[], at: number): PageService[] {
    const present = new Set<string>()
    const out = services.map((service): PageService => {
      const providers = service.providers.map((p): PageProvider => {
        const key = `${p.service}/${p.id}`
        present.add(key)
        const page: PageProvider =
          p.status === 'up'
            ? { ...p, status: 'up' }
            : { ...this.#lastKnown(key, p, at), status: 'gone', goneReason: 'heartbeats stopped' }
        this.#remember(key, page, at)
        return page
      })
      return { ...service, providers }
    })
    for (const [key, { provider }] of this.#seen) {
      if (present.has(key)) continue
      const gone: PageProvider = { ...this.#lastKnown(key, provider, at), status: 'gone' }
      gone.goneReason ??= 'left the registry'
      if (at - (gone.goneAt ?? at) > GONE_KEPT_MS) {
        this.#seen.delete(key)
        continue
      }
      this.#remember(key, gone, at)
      out.find((s) => s.name === provider.service)?.providers.push(gone)
    }
    return out
  }

  /**
   * A provider that stopped answering keeps what was last known of it (its summary expires soon after): its
   * numbers, and a heartbeat age that keeps growing.
   */
  #lastKnown(key: string, now: Omit<PageProvider, 'status'>, at: number): Omit<PageProvider, 'status'> {
    const before = this.#seen.get(key)
    const age = before?.provider.heartbeatAgeMs
    return {
      ...now,
      summary: now.summary ?? before?.provider.summary ?? null,
      heartbeatAgeMs: now.heartbeatAgeMs ?? (age === null || age === undefined ? null : age + (at - before!.at)),
      goneAt: before?.provider.goneAt ?? at,
    }
  }

  #remember(key: string, provider: PageProvider, at: number): void {
    this.#seen.set(key, { provider, at })
  }

  #held(locks: LockView[] | null, at: number): PageLock[] | null {
    if (locks === null) return null
    const current = new Set(locks.map((l) => l.resource))
    for (const resource of this.#holders.keys()) if (!current.has(resource)) this.#holders.delete(resource)
    return locks.map((lock) => {
      let held = this.#holders.get(lock.resource)
      if (!held || held.holder !== lock.holder) {
        held = { holder: lock.holder, since: at }
        this.#holders.set(lock.resource, held)
      }
      return { ...lock, heldForMs: at - held.since }
    })
  }

  #record(at: number): HistoryPoint {
    const services: HistoryPoint['services'] = {}
    for (const s of this.state.services) {
      services[s.name] = { callsPerSec: s.callsPerSec, errorsPerSec: s.errorsPerSec, p99: s.p99, inFlight: s.inFlight }
    }
    const point = { at, services }
    this.history.push(point)
    if (this.history.length > HISTORY) this.history.shift()
    return point
  }
}
