import type { Cluster, Redis } from 'ioredis'

/** A standalone ioredis client or a Cluster client: what every RedRpc package takes. */
export type RedisClient = Redis | Cluster

/**
 * True when `value` looks like an ioredis `Redis` or `Cluster` client. Duck-typed, not `instanceof`: the user's
 * ioredis may be another copy (or major version) than the one this package was built against.
 */
export function isRedisClient(value: unknown): value is RedisClient {
  if (typeof value !== 'object' || value === null) return false
  const c = value as Record<string, unknown>
  return (
    typeof c.evalsha === 'function' &&
    typeof c.eval === 'function' &&
    typeof c.duplicate === 'function' &&
    typeof c.sendCommand === 'function' &&
    typeof c.on === 'function'
  )
}

/** Throws a TypeError naming `what` (e.g. `'redis'`, `'options.subscriber'`) unless `value` is an ioredis client. */
export function assertClient(value: unknown, what: string): asserts value is RedisClient {
  if (!isRedisClient(value)) throw new TypeError(`${what} must be an ioredis client (Redis or Cluster)`)
}

/** True for an ioredis `Cluster` client. */
export function isCluster(client: RedisClient): client is Cluster {
  return (client as { isCluster?: boolean }).isCluster === true
}

/**
 * A new connection like `client`, with its options (and `overrides`). Narrowed first: ioredis 6 types `duplicate`
 * apart on `Redis` and `Cluster`, so calling it on the union does not compile there.
 */
export function duplicateClient(client: RedisClient, overrides: { enableAutoPipelining?: boolean } = {}): RedisClient {
  return isCluster(client) ? client.duplicate([], overrides) : client.duplicate(overrides)
}
