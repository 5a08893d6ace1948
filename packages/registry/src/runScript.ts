import { createHash } from 'node:crypto'
import type { Cluster, Redis } from 'ioredis'

const shas = new Map<string, string>()

function sha1(script: string): string {
  let sha = shas.get(script)
  if (!sha) {
    sha = createHash('sha1').update(script).digest('hex')
    shas.set(script, sha)
  }
  return sha
}

/**
 * Runs a script by its SHA and falls back to sending it whole when the server does not know it (first use, or a
 * restarted server). Leaves the caller's client untouched (no `defineCommand`), since it may be shared.
 */
export async function runScript<T>(
  redis: Redis | Cluster,
  script: string,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<T> {
  try {
    return (await redis.evalsha(sha1(script), keys.length, ...keys, ...args)) as T
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err
    return (await redis.eval(script, keys.length, ...keys, ...args)) as T
  }
}
