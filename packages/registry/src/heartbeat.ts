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

/** Handles of one service, all of one registry. */
export interface BeatGroup {
  ctx: HandleContext
  handles: readonly ProviderHandle[]
}

// Bounded so one script never blocks Redis for long nor overflows Lua's stack with unpack().
const MAX_IDS_PER_CALL = 500

/**
 * Splits the groups into script calls: on a single server as few as possible, mixing services; on a Cluster one
 * service per call, since a script's keys must share a slot.
 */
function plan(groups: readonly BeatGroup[], oneServicePerCall: boolean): ProviderHandle[][][] {
  const calls: ProviderHandle[][][] = []
  let current: ProviderHandle[][] = []
  let size = 0
  for (const { handles } of groups) {
    for (let i = 0; i < handles.length; ) {
      if (size === MAX_IDS_PER_CALL || (oneServicePerCall && i === 0 && current.length > 0)) {
        calls.push(current)
        current = []
        size = 0
      }
      const take = handles.slice(i, i + MAX_IDS_PER_CALL - size)
      current.push(take)
      size += take.length
      i += take.length
    }
  }
  if (current.length > 0) calls.push(current)
  return calls
}

/**
 * Heartbeats handles of one registry (one group per service) with as few script calls as the deployment allows,
 * all sent together, then lets each handle act on its outcome (restore itself, or learn it was lost).
 * Resolves to the failures (one per failed handle or call) and how many providers were missing from Redis.
 */
export async function heartbeat(
  redis: Redis | Cluster,
  groups: readonly BeatGroup[],
): Promise<{ failures: Error[]; missing: number }> {
  const calls = plan(groups, redis.isCluster)
  const byHandle = new Map(groups.flatMap(({ ctx, handles }) => handles.map((h) => [h, ctx] as const)))
  const scripts: ScriptCall[] = calls.map((segments) => {
    const keys: string[] = []
    const args: (string | number)[] = []
    for (const segment of segments) {
      const { keys: serviceKeys } = byHandle.get(segment[0]!)!
      keys.push(serviceKeys.alive, serviceKeys.owners)
      args.push(segment.length, ...segment.map((h) => h.id))
    }
    // Owner and ttl are the registry's, the same for every group.
    const { owner, ttlMs } = byHandle.get(segments[0]![0]!)!
    return { script: HEARTBEAT, keys, args: [owner, ttlMs, ...args] }
  })
  const replies = await runScripts<BeatStatus[]>(redis, scripts)
  let missing = 0
  const settled = await Promise.all(
    replies.map((reply, c) => {
      if (reply.status === 'rejected') return [{ status: 'rejected', reason: reply.reason } as PromiseRejectedResult]
      const handles = calls[c]!.flat()
      missing += reply.value.filter((s) => s === 'MISSING').length
      return Promise.allSettled(handles.map((h, i) => h[settleBeat](reply.value[i] ?? 'MISSING')))
    }),
  )
  const failures = settled.flat().flatMap((one) => (one.status === 'rejected' ? [one.reason as Error] : []))
  return { failures, missing }
}
