import { isCluster, type RedisClient } from '@org/redis-core'
import type { Acker } from './Acker.js'
import type { Encoded } from './codec.js'
import { type Writer, type XAdd, xaddAll } from './connections.js'
import type { RedisClock } from './RedisClock.js'
import { joinRecords, pushReply, type Sized } from './wire.js'

/** The inbox an entry was read from, and the clock of the node that stamped it. */
export interface Source {
  key: string
  clock: RedisClock
}

/** One inbox entry being served: acknowledged once each of its requests has been answered. */
export class PendingEntry {
  readonly source: Source
  readonly id: string
  /** When Redis stamped the entry (the milliseconds of its id), by the clock of the node holding it. */
  readonly stampedAt: number
  /** Requests of the entry served here. */
  readonly requests: number
  /** Requests of the entry not yet answered. */
  left: number
  /** Made only for whoever waits (adoption): most entries are never waited for. */
  #settled: Promise<void> | undefined
  #resolve: (() => void) | undefined
  #finished = false

  constructor(source: Source, id: string, requests: number) {
    this.source = source
    this.id = id
    this.stampedAt = Number(id.slice(0, id.indexOf('-')))
    this.requests = requests
    this.left = requests
  }

  /** Resolves once every request is answered and the ack is queued (or given up, if the reply failed). */
  get settled(): Promise<void> {
    if (!this.#settled) {
      this.#settled = this.#finished
        ? Promise.resolve()
        : new Promise((resolve) => {
            this.#resolve = resolve
          })
    }
    return this.#settled
  }

  /** @internal */
  finish(): void {
    this.#finished = true
    this.#resolve?.()
  }
}

interface Batch {
  maxLength: number
  /** Reply records, back to back. */
  parts: Encoded[]
  bytes: number
  /** Entries whose last reply is in this batch. */
  complete: PendingEntry[]
}

const FLUSH_BYTES = 1024 * 1024
/** Entries completed in one turn from which their acks ride with the replies. */
const PIGGYBACK_MIN = 8

/** Issues `write` on the inbox reader's connection ahead of its next read, if it is between reads. */
export type ReadAlong = (write: Writer) => boolean

/**
 * Sends replies: all replies for one caller produced in one turn leave in one XADD to its reply stream (NOMKSTREAM:
 * a caller that is gone gets nothing and no key is left behind), and an entry is acknowledged only after the reply
 * that completes it. Replies to a batch just read ride ahead of the inbox's next read, in one write; the others go
 * on the command connection, where on a single server the ack follows the reply, so Redis executes it after the
 * reply. Where no connection orders them (along a read, acks going out later on the command connection; a Cluster,
 * no order across nodes), the ack waits for the reply's confirmation.
 */
export class ReplySender {
  readonly #redis: RedisClient
  readonly #cluster: boolean
  readonly #acker: Acker
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

  constructor(redis: RedisClient, acker: Acker, along: ReadAlong, onError: (error: Error) => void) {
    this.#redis = redis
    this.#cluster = isCluster(redis)
    this.#acker = acker
    this.#along = along
    this.#onError = onError
  }

  /** Queues one reply to a request of `entry`. */
  send(
    replyTo: string,
    maxLength: number,
    requestId: string,
    status: string,
    payload: Sized | undefined,
    entry: PendingEntry,
  ): void {
    let batch = this.#batches.get(replyTo)
    if (!batch) {
      batch = { maxLength, parts: [], bytes: 0, complete: [] }
      this.#batches.set(replyTo, batch)
    }
    pushReply(batch.parts, requestId, status, payload)
    batch.bytes += payload?.bytes ?? 0
    entry.left--
    if (entry.left === 0) batch.complete.push(entry)
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
    const confirmFirst = along || this.#cluster
    if (!along) {
      // On one server, under load, the acks (this turn's among them) ride in the same write, after the replies they
      // follow. A lone reply leaves alone: Redis would run the ack before waking the caller, adding to its latency.
      if (!this.#cluster) for (const [, batch] of batches) this.#ack(batch.complete)
      const busy = !this.#cluster && batches.reduce((n, [, b]) => n + b.complete.length, 0) >= PIGGYBACK_MIN
      const acks = busy ? this.#acker.take() : []
      results = xaddAll(this.#redis, commands, acks, ([inbox, ids]) => this.#acker.retry(inbox, ids))
    }
    this.#inFlight += batches.length
    batches.forEach(([, batch], i) => {
      results[i]!.then(
        () => {
          if (confirmFirst) this.#ack(batch.complete)
          this.#answered()
        },
        (err: Error) => {
          // Unacknowledged (Cluster), the entries stay pending and run again after a restart or an adoption.
          this.#onError(err)
          for (const entry of batch.complete) entry.finish()
          this.#answered()
        },
      )
    })
  }

  #answered(): void {
    if (--this.#inFlight > 0 || this.#whenIdle.length === 0) return
    const waiters = this.#whenIdle
    this.#whenIdle = []
    for (const wake of waiters) wake()
  }

  #ack(entries: PendingEntry[]): void {
    for (const entry of entries) {
      this.#acker.ack(entry.source.key, entry.id)
      entry.finish()
    }
  }
}
