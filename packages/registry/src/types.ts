/** A service as stored in the registry. */
export interface ServiceDefinition {
  /** Its name: 1-200 characters of `[A-Za-z0-9._:-]`. */
  name: string
  /** Its version, free text (default `'0.0.0'`). */
  version: string
  /** The methods its providers answer. */
  methods: string[]
  /** Anything JSON the owner wants callers to know. */
  metadata: Record<string, unknown>
}

/** What `registerService` takes: a name, the rest optional. */
export interface ServiceInput {
  name: string
  version?: string
  methods?: string[]
  metadata?: Record<string, unknown>
}

/** Options of `registerService`. */
export interface RegisterServiceOptions {
  /**
   * Write only while the stored definition is still this one (as `getService` returned it; null: none stored),
   * checked atomically with the write; else `ServiceChangedError`. Undefined: store or replace whatever is there.
   */
  replacing?: ServiceDefinition | null
}

/** What `registerProvider` takes. */
export interface ProviderInput {
  /** Unique within the service (default: a random UUID). Same character rules as names. */
  id?: string
  /** Relative share of traffic, a finite number >= 0 (default 100). */
  weight?: number
  /** Anything JSON (default `{}`). */
  metadata?: Record<string, unknown>
}

/** What `handle.update` takes: the fields to change. */
export interface ProviderUpdate {
  weight?: number
  metadata?: Record<string, unknown>
}

/** A live provider as every reader sees it. */
export interface ProviderInfo {
  id: string
  service: string
  weight: number
  metadata: Record<string, unknown>
}

/**
 * Why a provider left: `deregistered` (graceful: `deregister()` or `close()`), `expired` (no heartbeat for its
 * `ttlMs`: crashed, paused or cut off), `vanished` (found missing by a resync: a missed message or Redis lost data).
 */
export type RemovalReason = 'deregistered' | 'expired' | 'vanished'

/** A provider that left, with the reason. */
export interface RemovedProvider extends ProviderInfo {
  reason: RemovalReason
}

/** What changed since the listener was last called. Never all empty. */
export interface ProviderChange {
  added: ProviderInfo[]
  removed: RemovedProvider[]
  updated: ProviderInfo[]
}

/** Called with every live provider of the service (sorted by id) and what changed. */
export type WatchListener = (providers: ProviderInfo[], change: ProviderChange) => void
