import { Redis } from 'ioredis'

/**
 * Opens one client; fails fast with a clear message instead of reconnecting forever. Not `lazyConnect`: the
 * connections the registry and the transport open from it by `duplicate()` inherit its options, and must connect by
 * themselves. `keepTrying` (for `top` and `dashboard`, which run until stopped): after the first connection, reconnect
 * when Redis restarts instead of giving up.
 */
export async function connect(url: string, keepTrying = false): Promise<Redis> {
  let connected = false
  const redis = new Redis(url, {
    connectTimeout: 10_000,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => (keepTrying && connected ? Math.min(times * 200, 2_000) : null),
  })
  // The socket's own error (ECONNREFUSED...) says more than the "Connection is closed" that follows it.
  let socketError: Error | undefined
  redis.on('error', (err: Error) => {
    socketError = err
  })
  const ready = await new Promise<boolean>((resolve) => {
    redis.once('ready', () => resolve(true))
    redis.once('end', () => resolve(false))
  })
  connected = ready
  if (!ready) {
    redis.disconnect()
    throw new Error(`cannot connect to ${url}: ${socketError?.message ?? 'Connection is closed.'}`)
  }
  return redis
}
