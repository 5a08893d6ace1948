import { duplicateClient, isCluster, pipelineScript, type RedisClient } from '@org/redis-core'
import { Command, type Redis } from 'ioredis'
import { GROUP } from './keys.js'
import { ACK_AND_DELETE } from './scripts.js'

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
  del(...keys: string[]): Promise<number>
}

/** The same client, seen through {@link RawCommands}. */
export function raw(redis: RedisClient): RawCommands {
  return redis as unknown as RawCommands
}

/**
 * A new connection with the same settings (a Cluster stays a Cluster); it reports errors through its commands.
 * Auto-pipelining is off unless asked for, whatever the given client says: a reader's connection carries one
 * blocking read at a time, and the commands it carries along leave in one corked write of their own (NextRead).
 * Inherited, it deferred each of them to the next tick in a pipeline of its own: about 30 µs more of provider CPU
 * per lone call, measured with a client made with `enableAutoPipelining: true` (as the redrpc benchmark's are).
 */
export function duplicate(redis: RedisClient, { enableAutoPipelining = false } = {}): RedisClient {
  const copy = duplicateClient(redis, { enableAutoPipelining })
  // Without a listener ioredis logs every reconnection attempt; failures surface through the commands instead.
  copy.on('error', () => {})
  return copy
}

/**
 * The connection for non-blocking commands. On a single server, the caller's own client: the transport gathers the
 * commands of each turn itself and writes them in one pipeline at once (auto-pipelining would only add a wait for the
 * next event-loop turn). On a Cluster, a client with auto-pipelining, which groups commands by node. `owned` says
 * whether we must close it.
 */
export function commandConnection(redis: RedisClient): { conn: RedisClient; owned: boolean } {
  if (!isCluster(redis) || redis.options.enableAutoPipelining) return { conn: redis, owned: false }
  return { conn: duplicate(redis, { enableAutoPipelining: true }), owned: true }
}

/**
 * One XADD: the stream key, then every other argument. Strings only: ioredis turns number arguments into strings on
 * a slow path (in a tight loop, an XADD with one number argument took 7 µs to issue, with strings only 2 µs).
 */
export type XAdd = [key: string, ...args: (string | Buffer)[]]

/** Acks to piggyback on a turn's write: inbox, then entry ids. */
export type AckBatch = [inbox: string, ids: string[]]

/**
 * Sends the XADDs of one turn. On a single server they leave in one write, as one pipeline, in order, followed by
 * `acks` (the ack script per inbox): Redis runs those after the XADDs before them. On a Cluster each XADD goes to its
 * node through auto-pipelining and `acks` must be empty. Each promise settles with its XADD's result;
 * `onAckFailed` gets the acks Redis refused (e.g. NOSCRIPT after a SCRIPT FLUSH) so they can be sent again.
 */
export function xaddAll(
  redis: RedisClient,
  commands: XAdd[],
  acks: AckBatch[] = [],
  onAckFailed: (failed: AckBatch) => void = () => {},
): Promise<string | null>[] {
  if (isCluster(redis) || (commands.length === 1 && acks.length === 0)) {
    return commands.map((args) => raw(redis).xadd(...args))
  }
  const pipeline = redis.pipeline()
  for (const args of commands) pipeline.xadd(...(args as [string, ...string[]]))
  for (const [inbox, ids] of acks) pipelineScript(redis as Redis, pipeline, ACK_AND_DELETE, [inbox], [GROUP, ...ids])
  const results = pipeline.exec()
  void results.then(
    (all) => {
      acks.forEach((batch, i) => {
        if (all?.[commands.length + i]?.[0]) onAckFailed(batch)
      })
    },
    () => acks.forEach(onAckFailed),
  )
  return commands.map((_, i) =>
    results.then((all) => {
      const [err, value] = all?.[i] ?? [new Error('the pipeline was discarded'), null]
      if (err) throw err
      return value as string | null
    }),
  )
}

/**
 * Sends one command at once, outside auto-pipelining. On a Cluster, auto-pipelining picks the node from the first
 * argument, which for EVALSHA, XREADGROUP or XGROUP is not the key; a plain command is routed by its real keys.
 */
export function direct<T>(redis: RedisClient, name: string, args: Arg[], binary = false): Promise<T> {
  const command = new Command(name, args, { replyEncoding: binary ? null : 'utf8' })
  return redis.sendCommand(command) as Promise<T>
}

/** Issues commands on `conn` (each one's promise is its own); `inOneWrite` hands them to the socket as one write. */
export type Writer = (conn: RedisClient) => void

/**
 * Whether commands may go on a reader's connection just ahead of its next blocking read: only on a single server
 * (a Cluster client routes by key, and may defer them behind the read) and while it is connected.
 */
export function canReadAlong(conn: RedisClient): boolean {
  return !isCluster(conn) && conn.status === 'ready'
}

/**
 * Runs `write`, whose commands on `redis` leave in one socket write (corked) on a single server: each write wakes
 * Redis, which on a small machine costs more than the command itself. On a Cluster they leave as they are issued.
 */
export function inOneWrite(redis: RedisClient, write: Writer): void {
  const socket = isCluster(redis) ? undefined : (redis as { stream?: { cork?(): void; uncork?(): void } }).stream
  if (typeof socket?.cork !== 'function' || typeof socket.uncork !== 'function') {
    write(redis)
    return
  }
  socket.cork()
  try {
    write(redis)
  } finally {
    socket.uncork()
  }
}

/** Closes a connection we opened, without waiting on a server that may be gone or frozen. */
export function close(conn: RedisClient): void {
  conn.disconnect()
}
