import type { Cluster, Redis } from 'ioredis'

/** A client of one independent Redis master (or of one Redis Cluster). */
export type RedisClient = Redis | Cluster

/** True when the value looks like an ioredis `Redis` or `Cluster` client (duck-typed: any copy of ioredis works). */
export function isRedisClient(value: unknown): value is RedisClient {
  if (typeof value !== 'object' || value === null) return false
  const c = value as Record<string, unknown>
  return (
    typeof c.evalsha === 'function' &&
    typeof c.eval === 'function' &&
    typeof c.duplicate === 'function' &&
    typeof c.on === 'function'
  )
}

/** True for an ioredis `Cluster` client. */
export function isCluster(client: RedisClient): client is Cluster {
  return (client as { isCluster?: boolean }).isCluster === true
}
