import {
  carryRead,
  close,
  duplicate,
  type RawCommands,
  type RawEntry,
  type RawRead,
  type RedisClient,
  raw,
  type Writer,
} from './connections.js'
import { Turn } from './Turn.js'

/** How a {@link StreamFollower} reads, and what it does with each entry. */
export interface StreamFollowerOptions {
  readonly key: string
  /** The id after which reading starts (`$`: only entries added from now on). */
  readonly startId: string
  readonly blockMs: number
  /** Entries per read at most. */
  readonly count: number
  readonly onEntry: (fields: RawEntry[1]) => void
  /** Runs just before each blocking read is issued, on the same connection (e.g. to trim what was read). */
  readonly beforeRead?: (conn: RawCommands, lastId: string) => void
  readonly onError: (error: Error) => void
}

/** Pause after a failed read, so a Redis that is down is not hammered while the connection heals. */
const RETRY_MS = 200

/**
 * Follows one stream with blocking XREADs on a connection of its own, so a blocked read never holds up the user's
 * client; a failed read is reported and retried from the last id seen, until `stop()`.
 *
 * After a read returns, the next one waits for the next event-loop turn, unless `readAlong()` issues it sooner along
 * with commands of the caller: one socket write then carries both.
 */
export class StreamFollower {
  /** The dedicated connection, e.g. to react when it reconnects. */
  readonly connection: RedisClient
  readonly #options: StreamFollowerOptions
  /** COUNT and BLOCK as strings (see XAdd on why). */
  readonly #count: string
  readonly #blockMs: string
  #lastId: string
  #stopped = false
  /** The read out now, if any. */
  #read: Promise<RawRead> | undefined
  /** A read returned and its entries were handed over: the connection is idle until the next read. */
  #between = false
  readonly #turn = new Turn()
  #loop: Promise<void> = Promise.resolve()

  constructor(redis: RedisClient, options: StreamFollowerOptions) {
    this.connection = duplicate(redis)
    this.#options = options
    this.#count = String(options.count)
    this.#blockMs = String(options.blockMs)
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

  /**
   * Between two reads, issues `write`'s commands on this connection and the next read right behind them, in one
   * socket write; returns false (nothing issued) while a read is out.
   */
  readAlong(write: Writer): boolean {
    if (!this.#between || this.#stopped) return false
    this.#read = carryRead(this.connection, write, this.#issueNext, this.#turn)
    return this.#read !== undefined
  }

  readonly #issueNext = (): Promise<RawRead> => this.#issue()

  #issue(): Promise<RawRead> {
    this.#between = false
    const { key, beforeRead } = this.#options
    const conn = raw(this.connection)
    beforeRead?.(conn, this.#lastId)
    return conn.xreadBuffer('COUNT', this.#count, 'BLOCK', this.#blockMs, 'STREAMS', key, this.#lastId)
  }

  async #run(): Promise<void> {
    try {
      await this.#follow()
    } finally {
      // A read issued along with a caller's commands just before stop() fails with the closed connection.
      this.#read?.catch(() => {})
    }
  }

  async #follow(): Promise<void> {
    const { onEntry, onError } = this.#options
    while (!this.#stopped) {
      try {
        // A caller handed a reply usually calls again in the same run of microtasks, carrying the read: look again
        // after those before paying for a turn.
        if (!this.#read) await Promise.resolve()
        if (!this.#read) {
          // The replies and requests the last batch produced leave first (or carry the read, see readAlong).
          await this.#turn.wait()
          if (this.#stopped) return
          this.#read ??= this.#issue()
        }
        const result = await this.#read
        this.#read = undefined
        this.#between = true
        for (const [id, fields] of result?.[0]?.[1] ?? []) {
          this.#lastId = id.toString('latin1')
          onEntry(fields)
        }
      } catch (err) {
        this.#read = undefined
        this.#between = false
        if (this.#stopped) return
        onError(err as Error)
        await new Promise((r) => setTimeout(r, RETRY_MS))
      }
    }
  }
}
