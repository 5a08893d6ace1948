import { close, duplicate, type RedisClient, raw } from './connections.js'

/**
 * Follows a provider's cancel stream on its own connection, so cancellations reach running handlers even while every
 * concurrency slot is busy and the inbox is not being read. Cancels are best effort: one sent while this listener is
 * down is missed, and the handler then runs until its deadline.
 */
export class CancelListener {
  readonly #conn: RedisClient
  readonly #key: string
  readonly #blockMs: number
  readonly #onCancel: (requestId: string) => void
  readonly #onError: (error: Error) => void
  #stopped = false
  #loop: Promise<void> | undefined

  constructor(
    redis: RedisClient,
    key: string,
    blockMs: number,
    onCancel: (requestId: string) => void,
    onError: (e: Error) => void,
  ) {
    this.#conn = duplicate(redis)
    this.#key = key
    this.#blockMs = blockMs
    this.#onCancel = onCancel
    this.#onError = onError
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
    let lastId = '$'
    while (!this.#stopped) {
      try {
        const read = await raw(this.#conn).xreadBuffer(
          'COUNT',
          512,
          'BLOCK',
          this.#blockMs,
          'STREAMS',
          this.#key,
          lastId,
        )
        for (const [, entries] of read ?? []) {
          for (const [id, fields] of entries) {
            lastId = id.toString('latin1')
            const requestId = fields?.[1]
            if (requestId) this.#onCancel(requestId.toString('utf8'))
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
