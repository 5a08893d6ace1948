import { isCluster, type RedisClient } from './RedisClient.js'

/**
 * Where a client connects, for messages: `host:port` or the socket path; a Cluster's startup nodes, in order. Read
 * from the client's options, so it works before (and without) a connection.
 */
export function nodeAddresses(redis: RedisClient): string[] {
  if (isCluster(redis)) {
    const nodes = (redis as unknown as { startupNodes?: unknown[] }).startupNodes ?? []
    return nodes.map((n) => (typeof n === 'object' && n !== null ? addressOf(n) : String(n)))
  }
  return [addressOf(redis.options)]
}

function addressOf(o: { host?: string; port?: number; path?: string | null }): string {
  return o.path ?? `${o.host ?? 'localhost'}:${o.port ?? 6379}`
}

/**
 * What a connection error says about the Redis behind it: nothing listens there (`refused`), no answer in time
 * (`timeout`), the host or network cannot be reached or resolved (`unreachable`), the connection was closed
 * (`closed`), or another failure (`error`). Read from the socket's error code, the one stable part of these errors.
 */
export type ConnectionFailure = 'refused' | 'timeout' | 'unreachable' | 'closed' | 'error'

const UNREACHABLE = new Set(['ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'])

/** Classifies a connection error (see {@link ConnectionFailure}). */
export function connectionFailure(err: unknown): ConnectionFailure {
  const code = (err as { code?: unknown } | undefined)?.code
  if (code === 'ECONNREFUSED') return 'refused'
  if (code === 'ETIMEDOUT') return 'timeout'
  if (typeof code === 'string' && UNREACHABLE.has(code)) return 'unreachable'
  // ioredis' own "Connection is closed." carries no code.
  if (err instanceof Error && /closed/i.test(err.message)) return 'closed'
  return 'error'
}
