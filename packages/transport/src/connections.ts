import { createHash } from 'node:crypto'
import { type Cluster, Command, type Redis } from 'ioredis'

/** A standalone ioredis client or a Cluster client. */
export type RedisClient = Redis | Cluster

type Arg = string | Buffer | number

/** One stream entry as ioredis returns it with Buffer replies; fields are null for an entry deleted while pending. */
export type RawEntry = [Buffer, Buffer[] | null]

/** The reply of XREAD/XREADGROUP with Buffer replies. */
export type RawRead = [Buffer, RawEntry[]][] | null

/**
 * The commands the transport sends, typed loosely: ioredis' overloads do not cover every argument combination
 * (NOMKSTREAM with MAXLEN ~, XAUTOCLAIM COUNT) that is used here.
 */
export interface RawCommands {
  xadd(...args: Arg[]): Promise<string | null>
  xreadgroupBuffer(...args: Arg[]): Promise<RawRead>
  xreadBuffer(...args: Arg[]): Promise<RawRead>
  xautoclaimBuffer(...args: Arg[]): Promise<[Buffer, RawEntry[], Buffer[]]>
  xgroup(...args: Arg[]): Promise<unknown>
  xtrim(...args: Arg[]): Promise<number>
  evalsha(...args: Arg[]): Promise<unknown>
  eval(...args: Arg[]): Promise<unknown>
  del(...keys: string[]): Promise<number>
}

/** The same client, seen through {@link RawCommands}. */
export function raw(redis: RedisClient): RawCommands {
  return redis as unknown as RawCommands
}

/** Whether the client talks to a Redis Cluster. */
export function isCluster(redis: RedisClient): redis is Cluster {
  return (redis as { isCluster?: boolean }).isCluster === true
}

/** A new connection with the same settings (a Cluster stays a Cluster); it reports errors through its commands. */
export function duplicate(redis: RedisClient, overrides: { enableAutoPipelining?: boolean } = {}): RedisClient {
  const copy = isCluster(redis) ? redis.duplicate([], overrides) : redis.duplicate(overrides)
  // Without a listener ioredis logs every reconnection attempt; failures surface through the commands instead.
  copy.on('error', () => {})
  return copy
}

/**
 * The connection for non-blocking commands: the caller's own client when it already auto-pipelines, else a copy
 * that does (commands issued in one tick then leave in one write). `owned` says whether we must close it.
 */
export function commandConnection(redis: RedisClient): { conn: RedisClient; owned: boolean } {
  if (redis.options.enableAutoPipelining) return { conn: redis, owned: false }
  return { conn: duplicate(redis, { enableAutoPipelining: true }), owned: true }
}

/**
 * Sends one command at once, outside auto-pipelining. On a Cluster, auto-pipelining picks the node from the first
 * argument, which for EVALSHA, XREADGROUP or XGROUP is not the key; a plain command is routed by its real keys.
 */
export function direct<T>(redis: RedisClient, name: string, args: Arg[], binary = false): Promise<T> {
  const command = new Command(name, args, { replyEncoding: binary ? null : 'utf8' })
  return redis.sendCommand(command) as Promise<T>
}

const shas = new Map<string, string>()

/**
 * Runs a script by its SHA, loading it with EVAL only when the server does not know it yet (first use, restart). On
 * a single server it joins the auto-pipeline, so it runs after the commands issued before it.
 */
export async function runScript(
  redis: RedisClient,
  script: string,
  keys: string[],
  args: Arg[] = [],
): Promise<unknown> {
  let sha = shas.get(script)
  if (sha === undefined) {
    sha = createHash('sha1').update(script).digest('hex')
    shas.set(script, sha)
  }
  const send = (name: 'evalsha' | 'eval', first: string) =>
    isCluster(redis)
      ? direct(redis, name, [first, keys.length, ...keys, ...args])
      : raw(redis)[name](first, keys.length, ...keys, ...args)
  try {
    return await send('evalsha', sha)
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err
    return send('eval', script)
  }
}

/** Closes a connection we opened, without waiting on a server that may be gone or frozen. */
export function close(conn: RedisClient): void {
  conn.disconnect()
}
