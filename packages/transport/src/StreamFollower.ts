import { close, duplicate, type RawCommands, type RawEntry, type RedisClient, raw } from './connections.js'

/** How a {@link StreamFollower} reads, and what it does with each entry. */
export interface StreamFollowerOptions {
  readonly key: string
  /** The id after which reading starts (`$`: only entries added from now on). */
  readonly startId: string
  readonly blockMs: number
  /** Entries per read at most. */
  readonly count: number
  readonly onEntry: (fields: RawEntry[1]) => void
  /** Runs before each blocking read, on the same connection (e.g. to trim what was read). */
  readonly beforeRead?: (conn: RawCommands, lastId: string) => void | Promise<void>
  readonly onError: (error: Error) => void
}

/** Pause after a failed read, so a Redis that is down is not hammered while the connection heals. */
const RETRY_MS = 200

/**
 * Follows one stream with blocking XREADs on a connection of its own, so a blocked read never holds up the user's
 * client; a failed read is reported and retried from the last id seen, until `stop()`.
 */
export class StreamFollower {
  /** The dedicated connection, e.g. to react when it reconnects. */
  readonly connection: RedisClient
  readonly #options: StreamFollowerOptions
  #lastId: string
  #stopped = false
  #loop: Promise<void> = Promise.resolve()

  constructor(redis: RedisClient, options: StreamFollowerOptions) {
    this.connection = duplicate(redis)
    this.#options = options
    this.#lastId = options.startId
  }

  start(): void {
    this.#loop = this.#run()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    close(this.connection)
    await this.#loop
  }

  async #run(): Promise<void> {
    const { key, blockMs, count, onEntry, beforeRead, onError } = this.#options
    const conn = raw(this.connection)
    while (!this.#stopped) {
      try {
        await beforeRead?.(conn, this.#lastId)
        const result = await conn.xreadBuffer('COUNT', count, 'BLOCK', blockMs, 'STREAMS', key, this.#lastId)
        for (const [id, fields] of result?.[0]?.[1] ?? []) {
          this.#lastId = id.toString('latin1')
          onEntry(fields)
        }
      } catch (err) {
        if (this.#stopped) return
        onError(err as Error)
        await new Promise((r) => setTimeout(r, RETRY_MS))
      }
    }
  }
}
