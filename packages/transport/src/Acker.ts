import { type RedisClient, runScript } from '@org/redis-core'
import { GROUP } from './keys.js'
import { ACK_AND_DELETE } from './scripts.js'

const RETRY_MS = 200
/**
 * How long acks wait to be sent when no busy turn carries them. Each flush costs the provider a timer wake-up and a
 * round trip, and Redis a script run: at 5 ms they took about 5% of a lone caller's latency, at 20 ms they batch
 * four times as many calls. A crash in that window only means those requests run again.
 */
const ACK_DELAY_MS = 20
/** An inbox with this many acks queued flushes at once: one script run stays short, Redis serves others meanwhile. */
const MAX_BATCH = 512

/**
 * Acknowledges handled requests in batches, one script call per inbox, some milliseconds after their replies (or
 * with the replies of a busy turn, see ReplySender), so Redis wakes the callers before it spends time on acks. An ack
 * that fails is retried; if the process dies first, the request stays pending and runs again elsewhere.
 */
export class Acker {
  readonly #redis: RedisClient
  readonly #onError: (error: Error) => void
  #queued = new Map<string, string[]>()
  #timer: NodeJS.Timeout | undefined
  readonly #flushNow = () => this.#flush()
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
    // Soon, not now: the caller may be about to write the reply this ack must follow on the same connection.
    if (ids.length >= MAX_BATCH) queueMicrotask(this.#flushNow)
    else this.#timer ??= setTimeout(this.#flushNow, ACK_DELAY_MS)
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
    clearTimeout(this.#timer)
    this.#timer = undefined
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
