import { createHash } from 'node:crypto'
import { Command } from 'ioredis'
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

/** True for the error of an EVALSHA the server does not know (its script cache was flushed). */
export function isNoScript(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('NOSCRIPT')
}

// ioredis flattens an array argument into the command's arguments; passing one array instead of spreading keys and
// args saves building a rest-parameter list on every call of the hot path.
type FlatRunner = Record<'evalsha' | 'eval', (...args: unknown[]) => Promise<unknown>>

/** What this module keeps per client. */
interface ClientState {
  /** The scripts sent in full on the client's current connection. */
  readonly sent: Set<string>
  /**
   * Whether an EVALSHA may be handed to the client as a ready-made command, skipping the generic command builder:
   * only when no client option would change it (a key prefix, friendly error stacks, auto-pipelining).
   */
  readonly direct: boolean
}

const states = new WeakMap<RedisClient, ClientState>()

/** The options that make ioredis build a command differently from a plain `new Command`. */
interface BuildOptions {
  keyPrefix?: string
  showFriendlyErrorStack?: boolean
  enableAutoPipelining?: boolean
}

function stateOf(client: RedisClient): ClientState {
  let state = states.get(client)
  if (!state) {
    const options = ((client as { options?: BuildOptions }).options ?? {}) as BuildOptions
    const made: ClientState = {
      sent: new Set<string>(),
      direct: !options.keyPrefix && !options.showFriendlyErrorStack && !options.enableAutoPipelining,
    }
    state = made
    states.set(client, made)
    // A new connection may reach a server that lost its script cache (a restart): send each script in full again.
    client.on('close', () => made.sent.clear())
  }
  return state
}

/** Replies of EVALSHA come back as strings, as `client.evalsha` gives them. */
const EVALSHA_OPTIONS = { replyEncoding: 'utf8' } as const

/**
 * Runs a script with the keys and then the args in one array, and keeps the order of the connection: a command
 * issued after this one runs after it on the server. That is why a script not yet sent on this connection goes in
 * full (EVAL) rather than as EVALSHA: an EVALSHA the server does not know is answered NOSCRIPT, and the EVAL sent
 * after that answer would run behind every command issued in between (a release of an attempt's value could then
 * delete the lock a later attempt just set). Only a server that forgets its scripts while the connection stays up
 * (SCRIPT FLUSH) still gets a NOSCRIPT; the call is then sent in full, out of order, which the lock code tolerates
 * because every attempt and every holder uses a value of its own. `parse` turns the reply into the caller's type
 * (and may throw).
 */
export function runScript<T>(
  client: RedisClient,
  script: LuaScript,
  keyCount: number,
  keysThenArgs: readonly (string | number)[],
  parse: (reply: unknown) => T,
): Promise<T> {
  // The reply is parsed in the same reaction that catches NOSCRIPT: one promise per command, not a chain of them.
  return sendScript(client, script, keyCount, keysThenArgs).then(parse, (err: unknown) => {
    if (!isNoScript(err)) throw err
    return sendScript(client, script, keyCount, keysThenArgs, true).then(parse)
  })
}

/**
 * Sends a script and hands back the server's raw reply, with no reaction of its own: for the hot path, whose caller
 * parses the reply and, on NOSCRIPT, sends it again with `full` (see {@link runScript} for why the first use per
 * connection goes in full).
 */
export function sendScript(
  client: RedisClient,
  script: LuaScript,
  keyCount: number,
  keysThenArgs: readonly (string | number)[],
  full = false,
): Promise<unknown> {
  const run = client as unknown as FlatRunner
  const state = stateOf(client)
  if (full || !state.sent.has(script.sha)) {
    state.sent.add(script.sha)
    return run.eval(script.source, keyCount, keysThenArgs)
  }
  if (!state.direct) return run.evalsha(script.sha, keyCount, keysThenArgs)
  // The same command `client.evalsha` would build, without its generic argument and option handling: this is the
  // command of almost every lock operation.
  const args: (string | number)[] = [script.sha, keyCount]
  for (let i = 0; i < keysThenArgs.length; i++) args.push(keysThenArgs[i]!)
  return client.sendCommand(new Command('evalsha', args, EVALSHA_OPTIONS)) as Promise<unknown>
}

/** For scripts whose reply is used as it is. */
export function asIs(reply: unknown): unknown {
  return reply
}
