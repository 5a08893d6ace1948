import type { RedisClient } from '@org/redis-core'
import type { ServiceKeys } from './keys.js'

/** Heartbeat outcome of one provider, as HEARTBEAT returns it. */
export type BeatStatus = 'OK' | 'MISSING' | 'LOST'

/** Internal hook of ProviderHandle (not exported from the package): acts on its heartbeat outcome. */
export const settleBeat = Symbol('settleBeat')

/** A provider this registry holds and heartbeats, as the heartbeat sees it (a ProviderHandle). */
export interface HeldProvider {
  readonly id: string
  readonly service: string
  /** Restores a provider Redis lost, gives up one another registry took. */
  [settleBeat](status: BeatStatus): Promise<void>
}

/** What a handle needs from its registry: shared by every handle of one service in one registry. */
export interface HandleContext {
  redis: RedisClient
  keys: ServiceKeys
  /** The id of the registry that holds the provider. */
  owner: string
  ttlMs: number
  /** Called once when a handle stops being active (deregistered or lost). */
  release(handle: HeldProvider): void
}
