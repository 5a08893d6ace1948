import { type RedisClient, runScript } from './connections.js'
import { GROUP } from './keys.js'
import { ACK_AND_DELETE } from './scripts.js'

const RETRY_MS = 200
/**
 * How long acks wait to be sent when no busy turn carries them. A few milliseconds let a lone caller's acks go in
 * batches, out of the way of its next call; a crash in that window only means those requests run again.
 */
const ACK_DELAY_MS = 5

/**
 * Acknowledges handled requests in batches, one script call per inbox, a few milliseconds after their replies (or
 * with the replies of a busy turn, see ReplySender), so Redis wakes the callers before it spends time on acks. An ack that fails is retried; if the process dies first, the request stays pending and runs again elsewhere.
 */
export class Acker {
  readonly #redis: RedisClient
  readonly #onError: (error: Error) => void
  #queued = new Map<string, string[]>()
  #scheduled = false
  #inFlight = new Set<Promise<void>>()
  #closed = false

  constructor(redis: RedisClient, onError: (error: Error) => void) {
    this.#redis = redis
    this.#onError = onError
  }

  /** Queues one entry of `inbox` for acknowledgement and deletion. */
  ack(inbox: string, entryId: string): void {
    let ids = this.#queued.get(inbox)
    if (!ids) {
      ids = []
      this.#queued.set(inbox, ids)
    }
    ids.push(entryId)
    if (!this.#scheduled) {
      this.#scheduled = true
      setTimeout(() => this.#flush(), ACK_DELAY_MS)
    }
  }

  /** Hands over every queued ack, for a caller that writes them itself (behind its replies, in one write). */
  take(): [string, string[]][] {
    const queued = [...this.#queued]
    this.#queued.clear()
    return queued
  }

  /** Acks that a piggybacked write failed to apply go out again on their own. */
  retry(inbox: string, ids: string[]): void {
    for (const id of ids) this.ack(inbox, id)
  }

  /** Resolves once every queued ack has been sent (or given up after the acker was closed). */
  async settle(): Promise<void> {
    this.#flush()
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight])
  }

  /** Stops retrying failed acks; their requests stay pending for whoever adopts them. */
  close(): void {
    this.#closed = true
  }

  #flush(): void {
    this.#scheduled = false
    const queued = this.#queued
    this.#queued = new Map()
    for (const [inbox, ids] of queued) {
      const sent = this.#send(inbox, ids)
      this.#inFlight.add(sent)
      void sent.finally(() => this.#inFlight.delete(sent))
    }
  }

  async #send(inbox: string, ids: string[]): Promise<void> {
    for (;;) {
      try {
        await runScript(this.#redis, ACK_AND_DELETE, [inbox], [GROUP, ...ids])
        return
      } catch (err) {
        this.#onError(err as Error)
        if (this.#closed) return
        await new Promise((r) => setTimeout(r, RETRY_MS))
      }
    }
  }
}
