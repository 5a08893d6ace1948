import { close, duplicate, type RedisClient, raw } from './connections.js'
import { fieldMap } from './wire.js'

/** One reply as read from the stream. */
export interface Reply {
  requestId: string
  status: string
  payload: Buffer | undefined
}

/**
 * Follows a client's reply stream on a dedicated connection. After each batch it trims what it read (XTRIM MINID, sent
 * just ahead of the next blocking read on the same connection), so the stream holds only unread replies.
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
    let read = 0
    while (!this.#stopped) {
      try {
        if (read > 0) {
          read = 0
          void conn.xtrim(this.#key, 'MINID', this.#lastId).catch(() => {})
        }
        const result = await conn.xreadBuffer('COUNT', 1024, 'BLOCK', this.#blockMs, 'STREAMS', this.#key, this.#lastId)
        for (const [id, fields] of result?.[0]?.[1] ?? []) {
          this.#lastId = id.toString('latin1')
          read++
          if (!fields) continue
          const map = fieldMap(fields)
          const requestId = map.get('i')
          const status = map.get('s')
          if (requestId && status) {
            this.#onReply({
              requestId: requestId.toString('utf8'),
              status: status.toString('latin1'),
              payload: map.get('p'),
            })
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
