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

// ioredis flattens an array argument into the command's arguments; passing one array instead of spreading keys and
// args saves building a rest-parameter list on every call of the hot path.
type FlatRunner = Record<'evalsha' | 'eval', (...args: unknown[]) => Promise<unknown>>

/**
 * EVALSHA, falling back to EVAL when the server does not know the script (first use, restart), with the keys and
 * then the args in one array. The EVALSHA is written before this returns, so commands issued later on the same
 * connection run after it on the server. `parse` turns the reply into the caller's type (and may throw).
 */
export function runScript<T>(
  client: RedisClient,
  script: LuaScript,
  keyCount: number,
  keysThenArgs: readonly (string | number)[],
  parse: (reply: unknown) => T,
): Promise<T> {
  const run = client as unknown as FlatRunner
  // The reply is parsed in the same reaction that catches NOSCRIPT: one promise per command, not a chain of them.
  return run.evalsha(script.sha, keyCount, keysThenArgs).then(parse, (err: unknown) => {
    if (!isNoScript(err)) throw err
    return run.eval(script.source, keyCount, keysThenArgs).then(parse)
  })
}

/** For scripts whose reply is used as it is. */
export function asIs(reply: unknown): unknown {
  return reply
}
