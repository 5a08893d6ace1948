import { createHash } from 'node:crypto'
import type { RedisClient } from './RedisClient.js'

/** A Lua script and its SHA1, so it is sent in full only once per server. */
export interface LuaScript {
  readonly source: string
  readonly sha: string
}

/** Wraps a script source. */
export function luaScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') }
}

function isNoScript(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('NOSCRIPT')
}

/**
 * EVALSHA, falling back to EVAL when the server does not know the script (first use, restart). The EVALSHA is
 * written before this returns, so commands issued later on the same connection run after it on the server.
 * `answered` is called as soon as the server answered the EVALSHA (in the same reaction, to save a hop).
 */
export function runScript(
  client: RedisClient,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
  answered?: () => void,
): Promise<unknown> {
  return client.evalsha(script.sha, keys.length, ...keys, ...args).then(
    answered &&
      ((reply: unknown) => {
        answered()
        return reply
      }),
    (err: unknown) => {
      answered?.()
      if (!isNoScript(err)) throw err
      return client.eval(script.source, keys.length, ...keys, ...args)
    },
  )
}

/** Like runScript, for keys and args already in one array (keys first): large batches are not copied again. */
export function runFlat(
  client: RedisClient,
  script: LuaScript,
  keyCount: number,
  keysThenArgs: readonly (string | number)[],
): Promise<unknown> {
  // ioredis flattens an array argument into the command's arguments.
  const run = client as unknown as Record<'evalsha' | 'eval', (...args: unknown[]) => Promise<unknown>>
  return run.evalsha(script.sha, keyCount, keysThenArgs).catch((err: unknown) => {
    if (!isNoScript(err)) throw err
    return run.eval(script.source, keyCount, keysThenArgs)
  })
}
