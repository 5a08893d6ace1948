import type { Cluster, Redis } from 'ioredis'
import type { ServiceKeys } from './keys.js'
import type { ProviderHandle } from './ProviderHandle.js'
import { runScript } from './runScript.js'
import { HEARTBEAT } from './scripts.js'

/** What a handle needs from its registry: shared by every handle of one service in one registry. */
export interface HandleContext {
  redis: Redis | Cluster
  keys: ServiceKeys
  /** The id of the registry that holds the provider. */
  owner: string
  ttlMs: number
  /** Called once when a handle stops being active (deregistered or lost). */
  release(handle: ProviderHandle): void
}

/** Heartbeat outcome of one provider, as HEARTBEAT returns it. */
export type BeatStatus = 'OK' | 'MISSING' | 'LOST'

/** Internal hook of ProviderHandle (not exported from the package): acts on its heartbeat outcome. */
export const settleBeat = Symbol('settleBeat')

const BATCH = 500

/**
 * Heartbeats handles of one service and one registry with one script call per 500, and lets each handle act on
 * its outcome (restore itself, or learn it was lost). Resolves to the failures, one per failed handle.
 */
export async function heartbeatGroup(ctx: HandleContext, handles: readonly ProviderHandle[]): Promise<Error[]> {
  const { keys, owner, ttlMs, redis } = ctx
  const batches: ProviderHandle[][] = []
  for (let i = 0; i < handles.length; i += BATCH) batches.push(handles.slice(i, i + BATCH))
  const settled = await Promise.allSettled(
    batches.map(async (batch) => {
      const ids = batch.map((h) => h.id)
      const statuses = await runScript<BeatStatus[]>(
        redis,
        HEARTBEAT,
        [keys.alive, keys.providers, keys.owners],
        [owner, ttlMs, ...ids],
      )
      return Promise.allSettled(batch.map((h, i) => h[settleBeat](statuses[i] ?? 'MISSING')))
    }),
  )
  return settled.flatMap((batch) =>
    batch.status === 'rejected'
      ? [batch.reason as Error]
      : batch.value.flatMap((one) => (one.status === 'rejected' ? [one.reason as Error] : [])),
  )
}
