import type { Cluster, Redis } from 'ioredis'
import type { ServiceKeys } from './keys.js'
import type { ProviderHandle } from './ProviderHandle.js'
import { runScripts, type ScriptCall } from './runScript.js'
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
 * Heartbeats handles of one registry: one script call per service (per 500 providers), all sent together, then
 * lets each handle act on its outcome (restore itself, or learn it was lost). Resolves to the failures.
 */
export async function heartbeat(
  redis: Redis | Cluster,
  groups: readonly { ctx: HandleContext; handles: readonly ProviderHandle[] }[],
): Promise<Error[]> {
  const batches: ProviderHandle[][] = []
  const calls: ScriptCall[] = []
  for (const { ctx, handles } of groups) {
    const { keys, owner, ttlMs } = ctx
    for (let i = 0; i < handles.length; i += BATCH) {
      const batch = handles.slice(i, i + BATCH)
      batches.push(batch)
      calls.push({
        script: HEARTBEAT,
        keys: [keys.alive, keys.providers, keys.owners],
        args: [owner, ttlMs, ...batch.map((h) => h.id)],
      })
    }
  }
  const replies = await runScripts<BeatStatus[]>(redis, calls)
  const settled = await Promise.all(
    replies.map((reply, b) =>
      reply.status === 'rejected'
        ? [{ status: 'rejected', reason: reply.reason } as PromiseRejectedResult]
        : Promise.allSettled(batches[b]!.map((h, i) => h[settleBeat](reply.value[i] ?? 'MISSING'))),
    ),
  )
  return settled.flat().flatMap((one) => (one.status === 'rejected' ? [one.reason as Error] : []))
}
