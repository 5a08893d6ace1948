import { close, duplicate, nextTurn, type RawEntry, type RedisClient, raw } from './connections.js'
import { GROUP } from './keys.js'

/** What the reader needs from its server. */
export interface InboxReaderDeps {
  /** The caller's client, copied for the blocking reads. */
  redis: RedisClient
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
  /** Hands one entry over to be served. */
  accept(entryId: string, fields: Buffer[] | null, redelivered: boolean): void
  /** Creates the inbox and its group when missing (first start, or Redis lost them). */
  ensureGroup(): Promise<void>
  onError(error: Error): void
}

/**
 * Reads the provider's own inbox on a dedicated connection: first the requests it had taken before a crash (its
 * pending list), then new ones with a blocking XREADGROUP that takes only as many entries as there are free slots,
 * so unread requests stay in Redis where an adopter can reach them.
 */
export class InboxReader {
  readonly #deps: InboxReaderDeps
  readonly #conn: RedisClient
  #stopping = false
  #blocked = false
  #wakeStop: () => void = () => {}
  readonly #stopped = new Promise<void>((resolve) => {
    this.#wakeStop = resolve
  })
  #loop: Promise<void> = Promise.resolve()

  constructor(deps: InboxReaderDeps) {
    this.#deps = deps
    this.#conn = duplicate(deps.redis)
  }

  start(): void {
    this.#loop = this.#run()
  }

  /** Stops reading; entries a last read already took are still served. */
  async stop(): Promise<void> {
    this.#stopping = true
    this.#wakeStop()
    if (this.#blocked) {
      // A wake entry ends the blocking read at once, where disconnecting could lose entries Redis just handed over.
      await raw(this.#deps.commands)
        .xadd(this.#deps.key, 'NOMKSTREAM', '*', 'w', '1')
        .catch(() => {})
    }
    let timer: NodeJS.Timeout | undefined
    const giveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#deps.blockMs + 1_000)
    })
    await Promise.race([this.#loop, giveUp])
    clearTimeout(timer)
    close(this.#conn)
  }

  async #run(): Promise<void> {
    const { key, consumer, batchSize, blockMs } = this.#deps
    // '0' reads this consumer's own pending entries (taken before a crash); null switches to new ones ('>').
    let cursor: string | null = '0'
    while (!this.#stopping) {
      await nextTurn()
      await Promise.race([this.#deps.whenRoom(), this.#stopped])
      if (this.#stopping) return
      const count = Math.min(this.#deps.room(), batchSize)
      let entries: RawEntry[]
      try {
        this.#blocked = cursor === null
        const block = cursor === null ? ['BLOCK', blockMs] : []
        const read = await raw(this.#conn).xreadgroupBuffer(
          'GROUP',
          GROUP,
          consumer,
          'COUNT',
          count,
          ...block,
          'STREAMS',
          key,
          cursor ?? '>',
        )
        entries = read?.[0]?.[1] ?? []
      } catch (err) {
        this.#blocked = false
        if (this.#stopping) return
        if (err instanceof Error && err.message.startsWith('NOGROUP')) {
          await this.#deps.ensureGroup().catch((e: Error) => this.#deps.onError(e))
        } else {
          this.#deps.onError(err as Error)
          await new Promise((r) => setTimeout(r, 200))
        }
        continue
      } finally {
        this.#blocked = false
      }
      const redelivered = cursor !== null
      if (cursor !== null) cursor = entries.length === 0 ? null : entries[entries.length - 1]![0].toString('latin1')
      for (const [id, fields] of entries) this.#deps.accept(id.toString('latin1'), fields, redelivered)
    }
  }
}
