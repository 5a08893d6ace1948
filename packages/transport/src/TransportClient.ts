import { randomUUID } from 'node:crypto'
import { assertClient, Deadlines, type RedisClient, runScript } from '@org/redis-core'
import { type Call, where } from './Call.js'
import { ConnectionWatch } from './ConnectionWatch.js'
import { decodeWith, type Encoded, encodeWith } from './codec.js'
import { close, commandConnection, type XAdd, xaddAll } from './connections.js'
import {
  AbortError,
  CodecError,
  ConnectionError,
  NoProviderError,
  OverloadError,
  PayloadTooLargeError,
  RedisUnavailableError,
  ShutdownError,
  TimeoutError,
} from './errors.js'
import { cancelKey, inboxKey, replyKey } from './keys.js'
import {
  type ClientSettings,
  checkRequest,
  clientSettings,
  type RequestOptions,
  type TransportClientOptions,
} from './options.js'
import { ReplyReader } from './ReplyReader.js'
import { connectReady, unavailable, within } from './reachable.js'
import { MAX_REPLY_LENGTH } from './readRequests.js'
import { ENSURE_REPLY_STREAM, POST_CANCEL } from './scripts.js'
import {
  ERROR,
  ERROR_JSON,
  errorFromWire,
  joinRecords,
  OK,
  pushRequest,
  type Sized,
  sized,
  type WireError,
} from './wire.js'

const CANCEL_STREAM_LENGTH = 1_000
/** Least time between two checks of the reply stream outside the keep-alive. */
const RENEW_MIN_MS = 1_000
/** Most requests in one inbox entry. */
const MAX_BATCH = 128

/**
 * Sends requests to chosen providers and matches their replies, read from this client's own reply stream. Bounds the
 * calls out at once (`maxInFlight`), queueing or refusing the rest; every call settles exactly once.
 */
export class TransportClient {
  /** Unique id of this client; its reply stream is named after it. */
  readonly id: string
  readonly #redis: RedisClient
  readonly #settings: ClientSettings
  readonly #replyKey: string
  /** `inboxMaxLength` as the string every XADD carries. */
  readonly #inboxCap: string
  /** Cap of this client's reply stream asked of providers: room for every call in flight, twice. */
  readonly #replyCap: number
  readonly #pending = new Map<string, Call>()
  /** Calls waiting for room under `maxInFlight`, oldest first. */
  readonly #queue = new Set<Call>()
  #inFlight = 0
  /** Requests of this turn not yet written, by inbox. */
  #outbox = new Map<string, Call[]>()
  #flushScheduled = false
  #sequence = 0
  readonly #deadlines = new Deadlines<Call>((call) => this.#onTimeout(call))
  #commands: { conn: RedisClient; owned: boolean } | undefined
  #ready: Promise<void> | undefined
  #reader: ReplyReader | undefined
  #watch: ConnectionWatch | undefined
  /** The reply stream was created: close() deletes it. */
  #streamMade = false
  #keepAlive: NodeJS.Timeout | undefined
  #closing: Promise<void> | undefined
  #renewedAt = Number.NEGATIVE_INFINITY

  /** Checks the options at once (TypeError/RangeError naming the option); connects on the first request. */
  constructor(redis: RedisClient, options: TransportClientOptions = {}) {
    assertClient(redis, 'redis')
    this.#redis = redis
    this.#settings = clientSettings(options)
    this.id = randomUUID().replaceAll('-', '').slice(0, 16)
    this.#replyKey = replyKey(this.#settings.namespace, this.id)
    this.#inboxCap = String(this.#settings.inboxMaxLength)
    this.#replyCap = Math.min(MAX_REPLY_LENGTH, Math.max(1_000, 2 * this.#settings.maxInFlight))
  }

  /** Calls sent and not yet answered. */
  get inFlight(): number {
    return this.#inFlight
  }

  /** Calls waiting for room under `maxInFlight`. */
  get queued(): number {
    return this.#queue.size
  }

  /**
   * Calls `method` of provider `providerId`: resolves with the handler's result or rejects with a TransportError
   * (RemoteError, TimeoutError, AbortError, ShutdownError, PayloadTooLargeError, CodecError, NoProviderError,
   * OverloadError, ConnectionError). Bad input rejects with TypeError/RangeError/CodecError/PayloadTooLargeError
   * before anything is sent.
   */
  request<T = unknown>(options: RequestOptions): Promise<T> {
    try {
      return this.#request(options) as Promise<T>
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /** `request()` without the async wrapper, which would cost every call two more promise hops. */
  #request(options: RequestOptions): Promise<unknown> {
    const r = checkRequest(options, this.#settings.timeoutMs)
    if (this.#closing) throw new ShutdownError(`${where(r)}: the client is closed`, { notExecuted: true })
    const { codec, maxPayloadBytes } = this.#settings
    const params = r.params === undefined ? undefined : this.#encode(r.params, 'params', maxPayloadBytes)
    const metadata = r.metadata === undefined ? undefined : this.#encode(r.metadata, 'metadata', maxPayloadBytes)
    if (r.signal?.aborted) throw new AbortError(`${where(r)}: the signal was already aborted`, { notExecuted: true })
    if (this.#inFlight >= this.#settings.maxInFlight) {
      if (this.#settings.overflow === 'reject') {
        throw new OverloadError(`${where(r)}: ${this.#inFlight} calls are in flight (maxInFlight)`)
      }
      if (this.#queue.size >= this.#settings.maxQueued) {
        throw new OverloadError(`${where(r)}: ${this.#queue.size} calls are queued already (maxQueued)`)
      }
    }
    return new Promise((resolve, reject) => {
      const call: Call = {
        id: `${this.id}.${++this.#sequence}`,
        replyTo: this.#replyKey,
        method: r.method,
        timeLeftMs: r.timeoutMs,
        codec: codec.name,
        attempt: r.attempt,
        replyMaxLength: this.#replyCap,
        params,
        metadata,
        service: r.service,
        providerId: r.providerId,
        inbox: inboxKey(this.#settings.namespace, r.service, r.providerId),
        timeoutMs: r.timeoutMs,
        deadline: performance.now() + r.timeoutMs,
        signal: r.signal,
        resolve,
        reject,
        onAbort: undefined,
        sent: false,
        settled: false,
        prev: undefined,
        next: undefined,
        list: undefined,
      }
      this.#deadlines.add(call, r.timeoutMs)
      if (r.signal) {
        call.onAbort = () => this.#onAbort(call)
        r.signal.addEventListener('abort', call.onAbort, { once: true })
      }
      if (this.#inFlight < this.#settings.maxInFlight) this.#send(call)
      else this.#queue.add(call)
    })
  }

  /**
   * Stops the client: queued calls reject with ShutdownError (`notExecuted`), calls in flight with ShutdownError (they
   * may still run), and its reply stream is deleted. The caller's Redis client is left open.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  async #close(): Promise<void> {
    for (const call of [...this.#queue]) {
      this.#settle(call, new ShutdownError(`${where(call)}: the client was closed`, { notExecuted: true }))
    }
    for (const call of [...this.#pending.values()]) {
      this.#settle(call, new ShutdownError(`${where(call)}: the client was closed before the reply came`))
    }
    // Each wait on Redis shares closeTimeoutMs, so a close with Redis gone still settles. A start under way ends
    // first (it checks #closing, so no timer or reader it creates outlives the close).
    const closeBy = performance.now() + this.#settings.closeTimeoutMs
    const left = () => closeBy - performance.now()
    if (this.#ready) await within(this.#ready, left())
    clearInterval(this.#keepAlive)
    this.#deadlines.clear()
    this.#watch?.stop()
    if (this.#reader) await within(this.#reader.stop(), left())
    if (this.#commands) {
      // Only a stream that was made is deleted, and not while Redis is known to be down: it expires by itself
      // (replyTtlMs) when Redis cannot take the DEL.
      if (this.#streamMade && !this.#watch?.down) await within(this.#commands.conn.del(this.#replyKey), left())
      if (this.#commands.owned) close(this.#commands.conn)
    }
  }

  #encode(value: unknown, what: string, limit: number): Sized {
    const encoded = sized(encodeWith(this.#settings.codec, value, what))
    if (encoded.bytes > limit) throw new PayloadTooLargeError(what, encoded.bytes, limit, { notExecuted: true })
    return encoded
  }

  /**
   * Connects on first use: opens the reply reader's connection (failing fast with RedisUnavailableError when Redis
   * cannot be reached), creates the reply stream, then follows it; a failure is retried by the next request.
   */
  #start(): Promise<void> {
    this.#ready ??= (async () => {
      const { connectTimeoutMs, blockMs, onError } = this.#settings
      this.#commands ??= commandConnection(this.#redis)
      const conn = await connectReady(this.#redis, connectTimeoutMs, 'TransportClient')
      let created: unknown
      try {
        created = await this.#ensureReplyStream()
        this.#streamMade = true
        if (this.#closing) throw new ShutdownError('the client was closed while it connected')
      } catch (err) {
        close(conn)
        throw err
      }
      const reader = new ReplyReader(
        conn,
        this.#replyKey,
        typeof created === 'string' ? created : '0-0',
        blockMs,
        (requestId, status, payload) => this.#onReply(requestId, status, payload),
        () => this.#renewReplyStream(),
        onError,
      )
      this.#reader = reader
      this.#watch = new ConnectionWatch(conn, this.#redis, connectTimeoutMs, () => this.#lost())
      // After a reconnect the stream may be gone (Redis restarted without persistence): recreate it at once.
      conn.on('ready', () => {
        this.#ensureReplyStream().catch((e: Error) => onError(e))
      })
      reader.start()
      this.#keepAlive = setInterval(
        () => {
          this.#ensureReplyStream().catch((e: Error) => onError(e))
        },
        Math.max(1_000, this.#settings.replyTtlMs / 3),
      ).unref()
    })()
    this.#ready.catch(() => {
      this.#ready = undefined
    })
    return this.#ready
  }

  /**
   * Redis has stayed unreachable for connectTimeoutMs: the calls out fail now rather than at their timeout (they may
   * have run); the queued ones fail as they come up, unsent.
   */
  #lost(): void {
    for (const call of [...this.#pending.values()]) this.#settle(call, this.#watch!.error(where(call), false))
  }

  /**
   * Makes sure the reply stream exists with this client's ttl, at most once a second: called when a provider had to
   * recreate it, and when a call sent times out (its reply may have had nowhere to go), so a lost stream comes back
   * at once rather than at the next keep-alive.
   */
  #renewReplyStream(): void {
    const now = performance.now()
    if (!this.#commands || now - this.#renewedAt < RENEW_MIN_MS) return
    this.#renewedAt = now
    this.#ensureReplyStream().catch((e: Error) => this.#settings.onError(e))
  }

  /**
   * Creates the reply stream if it is missing and renews its ttl. When it was recreated with ids below what the reader
   * has read (keys lost, and the server's clock behind the old one's), the reader reads it again from where it
   * starts, or its replies would never be seen.
   */
  async #ensureReplyStream(): Promise<unknown> {
    const reader = this.#reader
    const args = reader ? [this.#settings.replyTtlMs, reader.position] : [this.#settings.replyTtlMs]
    const created = await runScript(this.#commands!.conn, ENSURE_REPLY_STREAM, [this.#replyKey], args)
    if (reader && typeof created === 'string') reader.restartBelow(created)
    return created
  }

  #send(call: Call): void {
    if (this.#watch?.down) {
      this.#settle(call, this.#watch.error(where(call), true))
      return
    }
    this.#inFlight++
    this.#pending.set(call.id, call)
    if (this.#reader) {
      this.#write(call)
      return
    }
    this.#start().then(
      () => this.#write(call),
      (err: Error) => {
        if (err instanceof RedisUnavailableError) {
          const { address, reason, cause } = err
          const connectMs = this.#settings.connectTimeoutMs
          this.#settle(call, unavailable(where(call), address, reason, cause as Error | undefined, true, connectMs))
          return
        }
        const message = `${where(call)}: cannot reach Redis: ${err.message}`
        this.#settle(call, new ConnectionError(message, { cause: err, notExecuted: true }))
      },
    )
  }

  /**
   * Writes the request. A lone call (nothing else out) leaves at once; while others are out, the requests of one turn
   * gather by provider and leave in one stream entry each, so a busy client sends one command per provider per turn.
   */
  #write(call: Call): void {
    if (call.settled) return
    if (this.#inFlight === 1 && !this.#flushScheduled) {
      this.#post([[call.inbox, [call]]])
      return
    }
    let batch = this.#outbox.get(call.inbox)
    if (!batch) {
      batch = []
      this.#outbox.set(call.inbox, batch)
    }
    batch.push(call)
    if (batch.length >= MAX_BATCH) {
      this.#outbox.delete(call.inbox)
      this.#post([[call.inbox, batch]])
    } else if (!this.#flushScheduled) {
      this.#flushScheduled = true
      queueMicrotask(() => this.#flush())
    }
  }

  #flush(): void {
    this.#flushScheduled = false
    const outbox = [...this.#outbox]
    this.#outbox = new Map()
    this.#post(outbox)
  }

  /** One XADD per inbox; NOMKSTREAM, so a provider that is gone gets nothing and its callers know at once. */
  #post(outbox: [string, Call[]][]): void {
    const now = performance.now()
    const live: Call[][] = []
    const commands: XAdd[] = []
    for (const [inbox, batch] of outbox) {
      const calls = batch.filter((c) => !c.settled)
      if (calls.length === 0) continue
      const parts: Encoded[] = []
      for (const call of calls) {
        call.sent = true
        call.timeLeftMs = call.deadline - now
        pushRequest(parts, call)
      }
      live.push(calls)
      commands.push([inbox, 'NOMKSTREAM', 'MAXLEN', '~', this.#inboxCap, '*', 'q', joinRecords(parts)])
    }
    if (commands.length === 0) return
    // Between two reads of replies (a lone caller answering one reply with its next call), the requests ride ahead
    // of the next read, in one write.
    let results: Promise<string | null>[] = []
    const along = this.#reader!.readAlong((conn) => {
      results = xaddAll(conn, commands)
    })
    if (!along) results = xaddAll(this.#commands!.conn, commands)
    for (let i = 0; i < live.length; i++) {
      const calls = live[i]!
      results[i]!.then(
        (id) => {
          if (id !== null) return
          for (const call of calls) {
            const message = `${where(call)}: the provider has no inbox (gone or never started)`
            this.#settle(call, new NoProviderError(message))
          }
        },
        (err: Error) => {
          for (const call of calls) {
            const message = `${where(call)}: sending failed: ${err.message}`
            this.#settle(call, new ConnectionError(message, { cause: err }))
          }
        },
      )
    }
  }

  #onReply(requestId: string, status: string, payload: Buffer | undefined): void {
    const call = this.#pending.get(requestId)
    if (call === undefined) return
    const codec = this.#settings.codec
    try {
      if (status === OK) {
        this.#settle(call, undefined, payload === undefined ? undefined : decodeWith(codec, payload, 'the result'))
        return
      }
      let wire: WireError
      if (status === ERROR && payload) wire = decodeWith(codec, payload, 'the error') as WireError
      else if (status === ERROR_JSON && payload) wire = JSON.parse(payload.toString('utf8')) as WireError
      else throw new CodecError(`unknown reply status '${status}'`)
      this.#settle(call, errorFromWire(wire, where(call)))
    } catch (err) {
      const e = err instanceof CodecError ? err : new CodecError(String(err))
      this.#settle(call, new CodecError(`${where(call)}: ${e.message}`))
    }
  }

  #onTimeout(call: Call): void {
    if (call.sent) this.#renewReplyStream()
    const what = call.sent ? 'no reply' : 'not sent (waiting for room under maxInFlight)'
    this.#settle(
      call,
      new TimeoutError(`${where(call)}: ${what} within ${call.timeoutMs} ms`, { notExecuted: !call.sent }),
    )
  }

  #onAbort(call: Call): void {
    const sent = call.sent
    this.#settle(call, new AbortError(`${where(call)}: cancelled by the caller`, { notExecuted: !sent }))
    if (sent) {
      const cancels = cancelKey(this.#settings.namespace, call.service, call.providerId)
      runScript(this.#commands!.conn, POST_CANCEL, [cancels], [CANCEL_STREAM_LENGTH, call.id, call.timeoutMs]).catch(
        (e: Error) => this.#settings.onError(e),
      )
    }
  }

  /** Settles a call once: with `error`, or with `value` when `error` is undefined. */
  #settle(call: Call, error: Error | undefined, value?: unknown): void {
    if (call.settled) return
    call.settled = true
    this.#deadlines.remove(call)
    if (call.onAbort) call.signal?.removeEventListener('abort', call.onAbort)
    if (this.#pending.delete(call.id)) {
      this.#inFlight--
      if (this.#queue.size > 0) this.#pump()
    } else {
      this.#queue.delete(call)
    }
    if (error) call.reject(error)
    else call.resolve(value)
  }

  #pump(): void {
    if (this.#closing) return
    for (const call of this.#queue) {
      if (this.#inFlight >= this.#settings.maxInFlight) return
      this.#queue.delete(call)
      this.#send(call)
    }
  }
}
