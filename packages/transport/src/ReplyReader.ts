import { close, duplicate, nextTurn, type RedisClient, raw } from './connections.js'
import { parseReplies, type Reply } from './wire.js'

const TRIM_COUNT = 256
const TRIM_BYTES = 1024 * 1024
const TRIM_MS = 1_000

/**
 * Follows a client's reply stream on a dedicated connection, trimming what it has read (XTRIM MINID, sent just ahead
 * of a blocking read on the same connection) every few hundred replies, megabyte or second.
 */
export class ReplyReader {
  readonly #conn: RedisClient
  readonly #key: string
  readonly #blockMs: number
  readonly #onReply: (reply: Reply) => void
  readonly #onError: (error: Error) => void
  #lastId: string
  #stopped = false
  #loop: Promise<void> = Promise.resolve()

  constructor(
    redis: RedisClient,
    key: string,
    startId: string,
    blockMs: number,
    onReply: (r: Reply) => void,
    onError: (e: Error) => void,
  ) {
    this.#conn = duplicate(redis)
    this.#key = key
    this.#lastId = startId
    this.#blockMs = blockMs
    this.#onReply = onReply
    this.#onError = onError
  }

  /** The dedicated connection, e.g. to react when it reconnects. */
  get connection(): RedisClient {
    return this.#conn
  }

  start(): void {
    this.#loop = this.#run()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    close(this.#conn)
    await this.#loop
  }

  async #run(): Promise<void> {
    const conn = raw(this.#conn)
    let count = 0
    let bytes = 0
    let trimmedAt = performance.now()
    while (!this.#stopped) {
      try {
        // Trimming after every read would double the commands of a lone caller; after enough replies, enough bytes or
        // enough time, it costs little and still bounds what the stream holds.
        if (count > 0 && (count >= TRIM_COUNT || bytes >= TRIM_BYTES || performance.now() - trimmedAt >= TRIM_MS)) {
          count = 0
          bytes = 0
          trimmedAt = performance.now()
          void conn.xtrim(this.#key, 'MINID', this.#lastId).catch(() => {})
        }
        await nextTurn()
        const result = await conn.xreadBuffer('COUNT', 1024, 'BLOCK', this.#blockMs, 'STREAMS', this.#key, this.#lastId)
        for (const [id, fields] of result?.[0]?.[1] ?? []) {
          this.#lastId = id.toString('latin1')
          count++
          for (const reply of fields ? parseReplies(fields) : []) {
            bytes += reply.payload?.length ?? 0
            this.#onReply(reply)
          }
        }
      } catch (err) {
        if (this.#stopped) return
        this.#onError(err as Error)
        await new Promise((r) => setTimeout(r, 200))
      }
    }
  }
}
