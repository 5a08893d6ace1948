import { isCluster, isNoScript, pipelineScript, type RedisClient, runScript } from '@org/redis-core'
import type { Redis } from 'ioredis'
import { type BeatStatus, type HandleContext, type HeldProvider, settleBeat } from './HandleContext.js'
import { HEARTBEAT } from './scripts.js'

/** Handles of one service, all of one registry. */
export interface BeatGroup {
  ctx: HandleContext
  handles: readonly HeldProvider[]
}

// Bounded so one script never blocks Redis for long nor overflows Lua's stack with unpack().
const MAX_IDS_PER_CALL = 500

/**
 * Splits the groups into script calls: on a single server as few as possible, mixing services; on a Cluster one
 * service per call, since a script's keys must share a slot.
 */
function plan(groups: readonly BeatGroup[], oneServicePerCall: boolean): HeldProvider[][][] {
  const calls: HeldProvider[][][] = []
  let current: HeldProvider[][] = []
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
  redis: RedisClient,
  groups: readonly BeatGroup[],
): Promise<{ failures: Error[]; missing: number }> {
  const calls = plan(groups, isCluster(redis))
  const byHandle = new Map(groups.flatMap(({ ctx, handles }) => handles.map((h) => [h, ctx] as const)))
  const scripts: BeatCall[] = calls.map((segments) => {
    const keys: string[] = []
    const args: (string | number)[] = []
    for (const segment of segments) {
      const { keys: serviceKeys } = byHandle.get(segment[0]!)!
      keys.push(serviceKeys.alive, serviceKeys.owners)
      args.push(segment.length, ...segment.map((h) => h.id))
    }
    // Owner and ttl are the registry's, the same for every group.
    const { owner, ttlMs } = byHandle.get(segments[0]![0]!)!
    return { keys, args: [owner, ttlMs, ...args] }
  })
  const replies = await send(redis, scripts)
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

/** The keys and args of one HEARTBEAT call. */
interface BeatCall {
  keys: string[]
  args: (string | number)[]
}

/**
 * Sends the calls at once. On a single server they go in one pipeline, one write and one read for all, which is most
 * of what a heartbeat costs Redis; a Cluster client sends each to its own slot's node.
 */
async function send(redis: RedisClient, calls: readonly BeatCall[]): Promise<PromiseSettledResult<BeatStatus[]>[]> {
  if (isCluster(redis) || calls.length < 2) {
    return Promise.allSettled(calls.map((c) => runScript<BeatStatus[]>(redis, HEARTBEAT, c.keys, c.args)))
  }
  const pipeline = (redis as Redis).pipeline()
  for (const c of calls) pipelineScript(redis as Redis, pipeline, HEARTBEAT, c.keys, c.args)
  const replies = await pipeline.exec()
  return Promise.allSettled(
    calls.map(async (c, i) => {
      const [err, value] = replies?.[i] ?? [new Error('no reply from the pipeline'), undefined]
      if (!err) return value as BeatStatus[]
      if (!isNoScript(err)) throw err
      return runScript<BeatStatus[]>(redis, HEARTBEAT, c.keys, c.args)
    }),
  )
}
