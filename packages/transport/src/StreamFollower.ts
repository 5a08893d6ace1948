import type { RedisClient } from '@org/redis-core'
import { close, duplicate, type RawCommands, type RawEntry, type RawRead, raw, type Writer } from './connections.js'
import { NextRead } from './NextRead.js'

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
  /** A connection of ours, already open, to read on (else one is made); it is closed by `stop()`. */
  readonly connection?: RedisClient
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
  readonly #next: NextRead<RawRead>
  #loop: Promise<void> = Promise.resolve()

  constructor(redis: RedisClient, options: StreamFollowerOptions) {
    this.connection = options.connection ?? duplicate(redis)
    this.#options = options
    this.#count = String(options.count)
    this.#blockMs = String(options.blockMs)
    this.#lastId = options.startId
    this.#next = new NextRead(this.connection, () => this.#issue())
  }

  start(): void {
    this.#loop = this.#next.run(() => this.#follow())
  }

  async stop(): Promise<void> {
    this.#stopped = true
    close(this.connection)
    await this.#loop
  }

  /** The id of the last entry read (where the next read starts). */
  get position(): string {
    return this.#lastId
  }

  /**
   * Reads from `id` on, from the next read (the one blocked now ends at its block time): for a stream that was
   * recreated with ids below the position (see ENSURE_REPLY_STREAM).
   */
  restartFrom(id: string): void {
    this.#lastId = id
  }

  /** See {@link NextRead.carry}; nothing is issued once stopped. */
  readAlong(write: Writer): boolean {
    return !this.#stopped && this.#next.carry(write)
  }

  #issue(): Promise<RawRead> {
    const { key, beforeRead } = this.#options
    const conn = raw(this.connection)
    beforeRead?.(conn, this.#lastId)
    return conn.xreadBuffer('COUNT', this.#count, 'BLOCK', this.#blockMs, 'STREAMS', key, this.#lastId)
  }

  async #follow(): Promise<void> {
    const { onEntry, onError } = this.#options
    const next = this.#next
    while (!this.#stopped) {
      try {
        // A caller handed a reply usually calls again in the same run of microtasks, carrying the read: look again
        // after those before paying for a turn.
        if (!next.current) await Promise.resolve()
        if (!next.current) {
          await next.waitTurn()
          if (this.#stopped) return
        }
        const result = await next.issue()
        next.idle()
        for (const [id, fields] of result?.[0]?.[1] ?? []) {
          this.#lastId = id.toString('latin1')
          onEntry(fields)
        }
      } catch (err) {
        next.clear()
        if (this.#stopped) return
        onError(err as Error)
        await new Promise((r) => setTimeout(r, RETRY_MS))
      }
    }
  }
}
