import { isCluster, type RedisClient, runScript } from '@org/redis-core'
import type { Acker } from './Acker.js'
import type { Encoded } from './codec.js'
import { direct, type Writer, type XAdd, xaddAll } from './connections.js'
import type { DeadLetterReason, DeadLetters } from './DeadLetters.js'
import type { PendingEntry } from './PendingEntry.js'
import { REPLY_TO_NEW_STREAM } from './scripts.js'
import { ERROR_JSON, joinRecords, pushReply, replyIds, type Sized, sized, type WireError } from './wire.js'

interface Batch {
  /** The largest cap its records asked for: one odd record never trims the stream for the others. */
  maxLength: number
  /** Reply records, back to back. */
  parts: Encoded[]
  bytes: number
  /** The entry of each record, in order: one settles per record once the batch is stored. */
  entries: PendingEntry[]
  /** The latest deadline of its requests (performance.now() scale): until then a caller may still wait for them. */
  until: number
}

const FLUSH_BYTES = 1024 * 1024
/** Replies in one turn from which the acks queued so far ride with them. */
const PIGGYBACK_MIN = 8
/** How long a reply stream recreated by a provider outlives the last deadline of its replies. */
const RECREATED_GRACE_MS = 5_000
/** Length cap of a reply stream when an error reply replaces a batch Redis refused. */
const FALLBACK_MAX_LENGTH = '10000'

/** Issues `write` on the inbox reader's connection ahead of its next read, if it is between reads. */
export type ReadAlong = (write: Writer) => boolean

/**
 * Sends replies: all replies for one caller produced in one turn leave in one XADD to its reply stream (NOMKSTREAM:
 * a caller that is gone gets nothing and no key is left behind). Replies to a batch just read ride ahead of the
 * inbox's next read, in one write; the others go on the command connection. An entry is acknowledged only once Redis
 * has confirmed every one of its replies: an ack never runs for a reply that failed. Under load the acks confirmed so
 * far ride in the write of the next replies.
 *
 * A reply Redis refuses (wrong key type at the reply key, any error reply) is not left pending forever: the caller is
 * sent a short `ReplyFailedError` instead when that can be stored, and each request is dead-lettered (DeadLetters)
 * and then acknowledged.
 */
export class ReplySender {
  readonly #redis: RedisClient
  readonly #cluster: boolean
  readonly #acker: Acker
  readonly #deadLetters: DeadLetters
  readonly #along: ReadAlong
  readonly #onError: (error: Error) => void
  readonly #batches = new Map<string, Batch>()
  #scheduled = false
  /** A batch just read is being served: whoever holds flushes at the end, so no microtask is queued meanwhile. */
  #held = false
  readonly #flushSoon = () => this.#flush()
  /** Reply commands handed to Redis and not yet answered; a count, not a set of promises: one fewer per batch. */
  #inFlight = 0
  #whenIdle: (() => void)[] = []
  readonly #answeredNow = () => this.#answered()

  constructor(
    redis: RedisClient,
    acker: Acker,
    deadLetters: DeadLetters,
    along: ReadAlong,
    onError: (error: Error) => void,
  ) {
    this.#redis = redis
    this.#cluster = isCluster(redis)
    this.#acker = acker
    this.#deadLetters = deadLetters
    this.#along = along
    this.#onError = onError
  }

  /** Queues one reply to a request of `entry`, whose caller waits until `deadline` (performance.now() scale). */
  send(
    replyTo: string,
    maxLength: number,
    requestId: string,
    status: string,
    payload: Sized | undefined,
    entry: PendingEntry,
    deadline: number,
  ): void {
    let batch = this.#batches.get(replyTo)
    if (!batch) {
      batch = { maxLength, parts: [], bytes: 0, entries: [], until: deadline }
      this.#batches.set(replyTo, batch)
    } else {
      if (maxLength > batch.maxLength) batch.maxLength = maxLength
      if (deadline > batch.until) batch.until = deadline
    }
    pushReply(batch.parts, requestId, status, payload)
    batch.bytes += payload?.bytes ?? 0
    batch.entries.push(entry)
    if (batch.bytes >= FLUSH_BYTES) {
      this.#batches.delete(replyTo)
      this.#send([[replyTo, batch]])
    } else if (!this.#scheduled && !this.#held) {
      this.#scheduled = true
      queueMicrotask(this.#flushSoon)
    }
  }

  /** Replies queued from now on wait for {@link flush} (which must follow in the same turn). */
  hold(): void {
    this.#held = true
  }

  /** Sends the replies queued so far now, instead of at the end of the turn; ends a {@link hold}. */
  flush(): void {
    this.#held = false
    this.#flush()
  }

  /** Resolves once every queued reply has been handed to Redis and answered. */
  async settle(): Promise<void> {
    this.#flush()
    while (this.#inFlight > 0) await new Promise<void>((resolve) => this.#whenIdle.push(resolve))
  }

  #flush(): void {
    this.#scheduled = false
    if (this.#batches.size === 0) return
    const batches = [...this.#batches]
    this.#batches.clear()
    this.#send(batches)
  }

  /**
   * One request of `entry` is settled without a reply of this sender (a dead letter stored, or not: `stored`);
   * acknowledges the entry when that was its last request.
   */
  settleOne(entry: PendingEntry, stored: boolean): void {
    if (entry.settleOne(stored)) this.#ack(entry)
  }

  #send(batches: [string, Batch][]): void {
    const commands = batches.map(
      ([replyTo, b]): XAdd => [
        replyTo,
        'NOMKSTREAM',
        'MAXLEN',
        '~',
        String(b.maxLength),
        '*',
        'r',
        joinRecords(b.parts),
      ],
    )
    let results: Promise<string | null>[] = []
    const along = this.#along((conn) => {
      results = xaddAll(conn, commands)
    })
    if (!along) {
      // On one server, under load, the acks confirmed so far ride in the same write, after the replies.
      const busy = !this.#cluster && batches.reduce((n, [, b]) => n + b.entries.length, 0) >= PIGGYBACK_MIN
      const acks = busy ? this.#acker.take() : []
      results = xaddAll(this.#redis, commands, acks, ([inbox, ids]) => this.#acker.retry(inbox, ids))
    }
    this.#inFlight += batches.length
    batches.forEach(([replyTo, batch], i) => {
      results[i]!.then(
        (id) => {
          if (id === null) {
            void this.#recreate(replyTo, batch).finally(this.#answeredNow)
            return
          }
          for (const entry of batch.entries) this.settleOne(entry, true)
          this.#answered()
        },
        (err: Error) => {
          this.#onError(err)
          void this.#undelivered(replyTo, batch, 'REPLY_FAILED', err).finally(this.#answeredNow)
        },
      )
    })
  }

  /**
   * The caller's reply stream is gone (keys lost: FLUSHALL, a failover to an empty replica) while it may still wait:
   * the batch goes again with REPLY_TO_NEW_STREAM, which creates the stream (the caller's blocked read wakes at once),
   * marks the entry so the caller renews its own ttl at once, and lets it expire when the last deadline has passed if
   * the caller is dead. Past every deadline the callers have given up: the replies are dead-lettered.
   */
  async #recreate(replyTo: string, batch: Batch): Promise<void> {
    const ttl = Math.ceil(batch.until - performance.now())
    if (ttl <= 0) return this.#undelivered(replyTo, batch, 'REPLY_STREAM_GONE', undefined)
    const args = [ttl + RECREATED_GRACE_MS, batch.maxLength, joinRecords(batch.parts)]
    try {
      await runScript(this.#redis, REPLY_TO_NEW_STREAM, [replyTo], args)
    } catch (err) {
      this.#onError(err as Error)
      return this.#undelivered(replyTo, batch, 'REPLY_FAILED', err as Error)
    }
    for (const entry of batch.entries) this.settleOne(entry, true)
  }

  /**
   * A batch Redis did not store: the caller gets a short error reply instead when Redis takes one (it refused the
   * batch, not the stream), and each request is dead-lettered, then settled.
   */
  async #undelivered(replyTo: string, batch: Batch, reason: DeadLetterReason, err: Error | undefined): Promise<void> {
    const ids = replyIds(joinRecords(batch.parts))
    const detail = err
      ? `the reply could not be stored: ${err.message}`
      : `the caller's reply stream ${replyTo} no longer exists`
    const told = err ? await this.#tell(replyTo, ids, detail) : false
    await Promise.all(
      batch.entries.map(async (entry, i) => {
        const letter = { reason, detail, entry: entry.id, request: ids[i], replyTo, told }
        this.settleOne(entry, await this.#deadLetters.record(entry.source, letter))
      }),
    )
  }

  /** Sends `ReplyFailedError` for `ids` in place of their replies; resolves whether Redis stored it. */
  async #tell(replyTo: string, ids: string[], message: string): Promise<boolean> {
    const error: WireError = { kind: 'reply_failed', name: 'ReplyFailedError', message, notExecuted: false }
    const payload = sized(JSON.stringify(error))
    const parts: Encoded[] = []
    for (const id of ids) pushReply(parts, id, ERROR_JSON, payload)
    const args = [replyTo, 'NOMKSTREAM', 'MAXLEN', '~', FALLBACK_MAX_LENGTH, '*', 'r', joinRecords(parts)]
    try {
      return (await direct<string | null>(this.#redis, 'xadd', args)) !== null
    } catch {
      return false
    }
  }

  #answered(): void {
    if (--this.#inFlight > 0 || this.#whenIdle.length === 0) return
    const waiters = this.#whenIdle
    this.#whenIdle = []
    for (const wake of waiters) wake()
  }

  #ack(entry: PendingEntry): void {
    this.#acker.ack(entry.source.key, entry.id)
    entry.finish()
  }
}
