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

/** One script call for {@link runScripts}. */
export interface ScriptCall {
  script: string
  keys: readonly string[]
  args: readonly (string | number)[]
}

/**
 * Runs many script calls at once. On a single server they go in one pipeline, one write and one read for all,
 * which is most of what a heartbeat costs Redis; a Cluster client sends each to its own slot's node.
 */
export async function runScripts<T>(
  redis: Redis | Cluster,
  calls: readonly ScriptCall[],
): Promise<PromiseSettledResult<T>[]> {
  if (redis.isCluster || calls.length < 2) {
    return Promise.allSettled(calls.map((c) => runScript<T>(redis, c.script, c.keys, c.args)))
  }
  const replies = await redis
    .pipeline(calls.map((c) => ['evalsha', sha1(c.script), c.keys.length, ...c.keys, ...c.args]))
    .exec()
  return Promise.allSettled(
    calls.map(async (c, i) => {
      const [err, value] = replies?.[i] ?? [new Error('no reply from the pipeline'), undefined]
      if (!err) return value as T
      if (!err.message.startsWith('NOSCRIPT')) throw err
      return runScript<T>(redis, c.script, c.keys, c.args)
    }),
  )
}
