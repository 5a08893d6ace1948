import type { RedisClient } from '@org/redis-core'
import { close, type RawEntry, type RawRead, raw, type Writer } from './connections.js'
import { GROUP } from './keys.js'
import { NextRead } from './NextRead.js'
import { within } from './reachable.js'

/** What the reader needs from its server. */
export interface InboxReaderDeps {
  /** A connection of ours, already open (see connectReady), for the blocking reads; closed by `stop()`. */
  conn: RedisClient
  /** For the wake entry at stop (must not be the blocked connection). */
  commands: RedisClient
  key: string
  consumer: string
  batchSize: number
  blockMs: number
  /** How many entries may be taken now. */
  room(): number
  /** Resolves once `room()` is positive. */
  whenRoom(): Promise<void>
  /** Entries of one read are about to be handed over (`accepted()` follows in the same turn). */
  accepting(): void
  /** Hands one entry over to be served. */
  accept(entryId: string, fields: Buffer[] | null, redelivered: boolean): void
  /** Every entry of one read has been handed over. */
  accepted(): void
  /** Creates the inbox and its group when missing (first start, or Redis lost them). */
  ensureGroup(): Promise<void>
  onError(error: Error): void
}

/**
 * Reads the provider's own inbox on a dedicated connection: first the requests it had taken before a crash (its
 * pending list), then new ones with a blocking XREADGROUP that takes only as many entries as there are free slots,
 * so unread requests stay in Redis where an adopter can reach them.
 *
 * After a read returns, the next one waits for the next event-loop turn, unless `readAlong()` issues it sooner along
 * with the replies to what was read: one socket write then carries both.
 */
export class InboxReader {
  readonly #deps: InboxReaderDeps
  readonly #conn: RedisClient
  #stopping = false
  #blocked = false
  /** '0' reads this consumer's own pending entries (taken before a crash); null switches to new ones ('>'). */
  #cursor: string | null = '0'
  readonly #next: NextRead<RawRead>
  #wakeStop: () => void = () => {}
  readonly #stopped = new Promise<void>((resolve) => {
    this.#wakeStop = resolve
  })
  #loop: Promise<void> = Promise.resolve()

  constructor(deps: InboxReaderDeps) {
    this.#deps = deps
    this.#conn = deps.conn
    this.#next = new NextRead(this.#conn, () => this.#issue())
  }

  start(): void {
    this.#loop = this.#next.run(() => this.#follow())
  }

  /**
   * Stops reading; entries a last read already took are still served. Waits at most `timeoutMs` for the read out
   * to end (Redis may be gone), then closes the connection.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.#stopping = true
    this.#wakeStop()
    if (this.#blocked) {
      // A wake entry ends the blocking read at once, where disconnecting could lose entries Redis just handed over.
      // Not awaited: with Redis gone it would wait in the client's offline queue.
      raw(this.#deps.commands)
        .xadd(this.#deps.key, 'NOMKSTREAM', '*', 'w', '1')
        .catch(() => {})
    }
    await within(this.#loop, Math.min(timeoutMs, this.#deps.blockMs + 1_000))
    close(this.#conn)
  }

  /** See {@link NextRead.carry}; only between blocking reads, with room for more requests, and not once stopping. */
  readAlong(write: Writer): boolean {
    return !this.#stopping && this.#deps.room() > 0 && this.#next.carry(write)
  }

  #issue(): Promise<RawRead> {
    const { key, consumer, batchSize, blockMs } = this.#deps
    // Strings, not numbers: see XAdd.
    const count = String(Math.min(this.#deps.room(), batchSize))
    const conn = raw(this.#conn)
    this.#blocked = this.#cursor === null
    if (this.#cursor !== null) {
      return conn.xreadgroupBuffer('GROUP', GROUP, consumer, 'COUNT', count, 'STREAMS', key, this.#cursor)
    }
    return conn.xreadgroupBuffer(
      'GROUP',
      GROUP,
      consumer,
      'COUNT',
      count,
      'BLOCK',
      String(blockMs),
      'STREAMS',
      key,
      '>',
    )
  }

  async #follow(): Promise<void> {
    const next = this.#next
    for (;;) {
      // A read already out is always finished: its entries are taken, and are served even while stopping.
      if (!next.current) {
        if (this.#stopping) return
        // The replies to the last batch leave first (or carry the read, see readAlong).
        await next.waitTurn()
        if (!next.current && this.#deps.room() <= 0) await Promise.race([this.#deps.whenRoom(), this.#stopped])
        if (!next.current && this.#stopping) return
      }
      let entries: RawEntry[]
      try {
        const read = await next.issue()
        entries = read?.[0]?.[1] ?? []
      } catch (err) {
        next.clear()
        this.#blocked = false
        if (this.#stopping) return
        // NOGROUP: the inbox or its group is missing; UNBLOCKED: it was deleted under a blocked read (FLUSHALL, DEL).
        if (err instanceof Error && (err.message.startsWith('NOGROUP') || err.message.startsWith('UNBLOCKED'))) {
          await this.#deps.ensureGroup().catch((e: Error) => this.#deps.onError(e))
        } else {
          this.#deps.onError(err as Error)
          await new Promise((r) => setTimeout(r, 200))
        }
        continue
      }
      this.#blocked = false
      const redelivered = this.#cursor !== null
      if (this.#cursor !== null) {
        // Reading its own pending entries (non-blocking): no caller's commands ride along those reads.
        next.clear()
        this.#cursor = entries.length === 0 ? null : entries[entries.length - 1]![0].toString('latin1')
      } else {
        next.idle()
      }
      if (entries.length === 0) continue
      this.#deps.accepting()
      try {
        for (const [id, fields] of entries) this.#deps.accept(id.toString('latin1'), fields, redelivered)
      } finally {
        this.#deps.accepted()
      }
    }
  }
}
