import type { RedisClient } from '@org/redis-core'
import type { RawCommands, Writer } from './connections.js'
import { StreamFollower } from './StreamFollower.js'
import { eachReply, type OnReply } from './wire.js'

const TRIM_COUNT = 256
const TRIM_BYTES = 1024 * 1024
const TRIM_MS = 1_000

/**
 * Follows a client's reply stream on a dedicated connection, trimming what it has read (XTRIM MINID, sent just ahead
 * of a blocking read on the same connection) every few hundred replies, megabyte or second.
 */
export class ReplyReader {
  readonly #follower: StreamFollower
  readonly #key: string
  #count = 0
  #bytes = 0
  #trimmedAt = performance.now()

  /** `conn` is a connection of ours, already open (see connectReady), that it reads on and closes at `stop()`. */
  constructor(
    conn: RedisClient,
    key: string,
    startId: string,
    blockMs: number,
    onReply: OnReply,
    onRecreated: () => void,
    onError: (e: Error) => void,
  ) {
    this.#key = key
    this.#follower = new StreamFollower(conn, {
      connection: conn,
      key,
      startId,
      blockMs,
      count: 1024,
      onEntry: (fields) => {
        this.#count++
        if (!fields) return
        // The entry's size (records with their headers) bounds the trim by bytes, without a hop per reply.
        for (let i = 1; i < fields.length; i += 2) this.#bytes += fields[i]!.length
        // Only an entry that recreated a lost stream has a field besides `r` (see REPLY_TO_NEW_STREAM).
        if (fields.length > 2) onRecreated()
        eachReply(fields, onReply)
      },
      beforeRead: (conn, lastId) => this.#trim(conn, lastId),
      onError,
    })
  }

  /** The dedicated connection, e.g. to react when it reconnects. */
  get connection(): RedisClient {
    return this.#follower.connection
  }

  start(): void {
    this.#follower.start()
  }

  /** See {@link StreamFollower.position}. */
  get position(): string {
    return this.#follower.position
  }

  /** Reads from `id` on when that is below the position (see ENSURE_REPLY_STREAM). */
  restartBelow(id: string): void {
    if (idBelow(id, this.#follower.position)) this.#follower.restartFrom(id)
  }

  /** See {@link StreamFollower.readAlong}. */
  readAlong(write: Writer): boolean {
    return this.#follower.readAlong(write)
  }

  stop(): Promise<void> {
    return this.#follower.stop()
  }

  // Trimming after every read would double the commands of a lone caller; after enough replies, enough bytes or
  // enough time, it costs little and still bounds what the stream holds.
  #trim(conn: RawCommands, lastId: string): void {
    const due = this.#count >= TRIM_COUNT || this.#bytes >= TRIM_BYTES || performance.now() - this.#trimmedAt >= TRIM_MS
    if (this.#count > 0 && due) {
      this.#count = 0
      this.#bytes = 0
      this.#trimmedAt = performance.now()
      void conn.xtrim(this.#key, 'MINID', lastId).catch(() => {})
    }
  }
}

/** True when stream id `a` ("ms-seq") sorts below `b`. */
export function idBelow(a: string, b: string): boolean {
  const [am = 0, as = 0] = a.split('-').map(Number)
  const [bm = 0, bs = 0] = b.split('-').map(Number)
  return am < bm || (am === bm && as < bs)
}
