import type { ChainableCommander, Cluster, Redis } from 'ioredis'
import { type ReadyCommandOptions, sendReadyCommand } from '../ioredisInternals.js'
import { isCluster, type RedisClient } from '../RedisClient.js'
import { keySlot } from '../slot.js'
import { isNoScript, type Script } from './Script.js'

/** An argument of a script call. */
export type ScriptArg = string | number | Buffer

/**
 * Why the first use goes in full: a command issued after a script call must run after it on the server. An EVALSHA
 * the server does not know is answered NOSCRIPT, and the EVAL sent after that answer would run behind every command
 * issued in between. So a script is sent in full (EVAL) the first time it is used on a connection, and again after
 * the connection closed (the server behind it may have restarted and lost its script cache), and by its SHA after
 * that. Only a server that forgets its scripts while the connection stays up (SCRIPT FLUSH), or an EVALSHA that was
 * in flight when the connection dropped and is re-sent by ioredis after the reconnect, can still meet NOSCRIPT: the
 * call then goes again in full and succeeds, but out of order.
 *
 * On a Cluster "a connection" is a node's: a script is sent in full the first time it goes to the node that owns
 * its first key's slot (by ioredis' slot map), and every node forgets its scripts when any node connection of the
 * Cluster closes or joins (topology changes are rare; an EVAL more is cheap). A script without keys, or sent before
 * the slot map is known, always goes in full.
 */
interface State {
  /** Standalone: SHAs sent in full on the current connection. */
  readonly sent: Set<string>
  /** Cluster: node ("host:port") -> SHAs sent in full on its current connection. */
  readonly nodes: Map<string, Set<string>>
  /** The command may be built here (see {@link commandIsPlain}); else the client's own method builds it. */
  readonly direct: boolean
  readonly commandOptions: ReadyCommandOptions
  readonly keyPrefix: string
}

const states = new WeakMap<RedisClient, State>()

interface ClientOptions {
  keyPrefix?: string
  showFriendlyErrorStack?: boolean
  enableAutoPipelining?: boolean
}

/**
 * Whether to hand the client a ready-made command rather than call `client.evalsha(...)`. On a single server: only
 * when no client option changes how ioredis builds it (key prefix, friendly stacks, auto-pipelining, which also
 * orders it behind earlier auto-pipelined commands); it skips ioredis' generic argument handling on every call. On a
 * Cluster: exactly when auto-pipelining is on, because ioredis then picks the node from the first argument, which for
 * EVALSHA is the SHA, not a key; a command sent as it is gets routed by its real keys.
 */
function commandIsPlain(cluster: boolean, options: ClientOptions): boolean {
  if (cluster) return options.enableAutoPipelining === true
  return !options.keyPrefix && !options.showFriendlyErrorStack && !options.enableAutoPipelining
}

function stateOf(client: RedisClient): State {
  let state = states.get(client)
  if (state) return state
  const options = ((client as { options?: ClientOptions }).options ?? {}) as ClientOptions
  const cluster = isCluster(client)
  const made: State = {
    sent: new Set(),
    nodes: new Map(),
    direct: commandIsPlain(cluster, options),
    commandOptions: options.keyPrefix
      ? { replyEncoding: 'utf8', keyPrefix: options.keyPrefix }
      : { replyEncoding: 'utf8' },
    keyPrefix: options.keyPrefix ?? '',
  }
  state = made
  states.set(client, made)
  const forget = () => {
    made.sent.clear()
    made.nodes.clear()
  }
  client.on('close', forget)
  if (cluster) {
    const watchNode = (node: Redis) => node.on('close', forget)
    for (const node of (client as Cluster).nodes()) watchNode(node)
    client.on('+node', (node: Redis) => {
      forget()
      watchNode(node)
    })
    client.on('-node', forget)
  }
  return made
}

/** The set of scripts sent in full where this call goes; undefined when that is not known (then it goes in full). */
function sentWhere(client: RedisClient, state: State, keys: readonly string[]): Set<string> | undefined {
  if (!isCluster(client)) return state.sent
  if (keys.length === 0) return undefined
  const node = client.slots[keySlot(state.keyPrefix + keys[0])]?.[0]
  if (node === undefined) return undefined
  let sent = state.nodes.get(node)
  if (!sent) {
    sent = new Set()
    state.nodes.set(node, sent)
  }
  return sent
}

// ioredis flattens one level of array arguments: keys and args go as two arrays, with no spread per call.
type FlatRunner = Record<'evalsha' | 'eval', (...args: unknown[]) => Promise<unknown>>

/**
 * Sends the script, by SHA when it was sent in full where it goes, and resolves with its reply; a NOSCRIPT answer
 * (the server forgot it) sends it again in full, and the call resolves with that one's reply.
 */
function send(
  client: RedisClient,
  script: Script,
  keys: readonly string[],
  args: readonly ScriptArg[],
  full: boolean,
): Promise<unknown> {
  const state = stateOf(client)
  const sent = sentWhere(client, state, keys)
  const inFull = full || sent === undefined || !sent.has(script.sha)
  if (inFull) sent?.add(script.sha)
  const name = inFull ? 'eval' : 'evalsha'
  const body = inFull ? script.source : script.sha
  const again = inFull ? undefined : (err: unknown) => resendIfForgotten(client, script, keys, args, err)
  if (state.direct) return sendReadyCommand(client, name, [body, keys.length, keys, args], state.commandOptions, again)
  const reply = (client as unknown as FlatRunner)[name](body, keys.length, keys, args)
  return again ? reply.then(undefined, (err: unknown) => again(err) ?? Promise.reject(err)) : reply
}

/** After a NOSCRIPT: the same call in full, and every other script in full next time; undefined for other errors. */
function resendIfForgotten(
  client: RedisClient,
  script: Script,
  keys: readonly string[],
  args: readonly ScriptArg[],
  err: unknown,
): Promise<unknown> | undefined {
  if (!isNoScript(err)) return undefined
  forgetScripts(client)
  return send(client, script, keys, args, true)
}

/**
 * Runs `script` on `keys` with `args` and resolves with its reply (strings as strings). Keeps the order of the
 * connection (see the comment on {@link State}); recovers from NOSCRIPT inside by sending the script in full. Never
 * changes the client (no `defineCommand`): it may be shared.
 */
export function runScript<T = unknown>(
  client: RedisClient,
  script: Script,
  keys: readonly string[],
  args: readonly ScriptArg[] = [],
): Promise<T> {
  if (script.numberOfKeys !== undefined && keys.length !== script.numberOfKeys) {
    return Promise.reject(
      new RangeError(`script ${script.name} takes ${script.numberOfKeys} key(s), got ${keys.length}`),
    )
  }
  return send(client, script, keys, args, false) as Promise<T>
}

/**
 * Adds a call of `script` to `pipeline`, a pipeline of the single-server `client`, in full or by SHA by the same rule
 * as {@link runScript}. The pipeline's reply for it may be a NOSCRIPT error (see {@link isNoScript}) only after a
 * SCRIPT FLUSH: send that call again with {@link runScript}.
 */
export function pipelineScript(
  client: Redis,
  pipeline: ChainableCommander,
  script: Script,
  keys: readonly string[],
  args: readonly ScriptArg[] = [],
): void {
  const sent = stateOf(client).sent
  const queue = pipeline as unknown as FlatRunner
  if (sent.has(script.sha)) {
    queue.evalsha(script.sha, keys.length, keys, args)
    return
  }
  sent.add(script.sha)
  queue.eval(script.source, keys.length, keys, args)
}

/** Forgets which scripts were sent on `client`'s connections: the next call of each goes in full. */
export function forgetScripts(client: RedisClient): void {
  const state = states.get(client)
  state?.sent.clear()
  state?.nodes.clear()
}
