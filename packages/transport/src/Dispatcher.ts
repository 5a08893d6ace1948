import { isThenable, type RedisClient } from '@org/redis-core'
import { AbortLater } from './AbortLater.js'
import type { Acker } from './Acker.js'
import { CallContext } from './CallContext.js'
import { type Codec, codecNamed, decodeWith, type Encoded, encodeWith } from './codec.js'
import { DeadLetters } from './DeadLetters.js'
import { AbortError, ShutdownError } from './errors.js'
import { replyKeyPrefix } from './keys.js'
import type { ServerSettings } from './options.js'
import { PendingEntry, type Source } from './PendingEntry.js'
import { type ReadAlong, ReplySender } from './ReplySender.js'
import { parseRequests, type Rejected } from './readRequests.js'
import { Slots } from './Slots.js'
import type { Handler } from './types.js'
import { ERROR, ERROR_JSON, OK, type ReadRequest, remoteWireError, type Sized, sized, type WireError } from './wire.js'

export type { Source } from './PendingEntry.js'

/** One request taken from an inbox. */
interface Work {
  readonly request: ReadRequest
  readonly entry: PendingEntry
  readonly redelivered: boolean
}

interface Running {
  readonly work: Work
  readonly codec: Codec
  readonly abort: AbortLater
  answered: boolean
}

const CANCELLED_MEMORY = 10_000
/** Cap of a reply stream for an error reply to a record whose own cap is unusable. */
const FALLBACK_MAX_LENGTH = 10_000
const NO_REQUESTS: ReadRequest[] = []

/**
 * Serves requests taken from inboxes: at most `concurrency` handlers run, the rest of the entries already taken wait
 * here in order. A request whose deadline passed or that was cancelled is answered without running; every request
 * gets exactly one reply, and its entry is acknowledged only once all of the entry's replies are sent.
 */
export class Dispatcher {
  readonly slots: Slots
  readonly #settings: ServerSettings
  readonly #handlers: ReadonlyMap<string, Handler>
  readonly #replies: ReplySender
  readonly #acker: Acker
  readonly #deadLetters: DeadLetters
  readonly #queue: Work[] = []
  /** Requests queued (null) or running here, so one claimed twice is served once. */
  readonly #known = new Map<string, Running | null>()
  /** Cancellations of requests not yet started; insertion-ordered so the oldest are forgotten first. */
  readonly #cancelled = new Set<string>()
  /** `{ns}:reply:{` as bytes: requests may only name a reply stream of this namespace. */
  readonly #replyPrefix: Buffer
  /** Records of the entry being accepted that failed validation; reused, empty between two entries. */
  readonly #rejected: Rejected[] = []

  constructor(
    settings: ServerSettings,
    redis: RedisClient,
    acker: Acker,
    along: ReadAlong,
    handlers: ReadonlyMap<string, Handler>,
  ) {
    this.#settings = settings
    this.#replyPrefix = Buffer.from(replyKeyPrefix(settings.namespace))
    this.#handlers = handlers
    this.#acker = acker
    this.#deadLetters = new DeadLetters(redis, settings.providerId, settings.onError)
    this.#replies = new ReplySender(redis, acker, this.#deadLetters, along, settings.onError)
    this.slots = new Slots(settings.concurrency)
  }

  /** How many more entries the readers may take now: none while taken requests still wait for a slot. */
  get room(): number {
    return this.#queue.length > 0 ? 0 : this.slots.free
  }

  /** Requests running or waiting for a slot. */
  get busy(): number {
    return this.slots.used + this.#queue.length
  }

  /** Resolves once there is room to read. */
  whenRoom(): Promise<void> {
    return this.slots.until(() => this.room > 0)
  }

  /** Resolves once nothing runs or waits. */
  whenIdle(): Promise<void> {
    return this.slots.until(() => this.busy === 0)
  }

  /**
   * Takes one inbox entry; returns it when it holds requests to serve here (or records to refuse), else acknowledges
   * it at once. Records that fail validation are refused one by one (see {@link #refuse}); the others are served as
   * if they were alone.
   */
  accept(source: Source, entryId: string, fields: Buffer[] | null, redelivered: boolean): PendingEntry | undefined {
    const rejected = this.#rejected
    // An entry trimmed while pending has no fields; a wake entry has no request: only the bookkeeping is left.
    const requests = fields ? parseRequests(fields, this.#replyPrefix, rejected) : NO_REQUESTS
    if (requests.length === 0 && rejected.length === 0) {
      this.#acker.ack(source.key, entryId)
      return undefined
    }
    // Claimed again while served here: the first copy answers (and refuses) and acknowledges it.
    const fresh = this.#known.size === 0 ? requests : requests.filter((r) => !this.#known.has(r.id))
    if (fresh.length === 0 && (requests.length > 0 || rejected.length === 0)) {
      rejected.length = 0
      return undefined
    }
    const entry = new PendingEntry(source, entryId, fresh.length + rejected.length)
    for (const request of fresh) {
      this.#known.set(request.id, null)
      this.#queue.push({ request, entry, redelivered })
    }
    if (rejected.length > 0) this.#refuse(entry, rejected.splice(0))
    this.#pump()
    return entry
  }

  /**
   * Settles records that failed validation, each alone: dead-lettered with the reason, then answered with a
   * CodecError (`notExecuted`) when its id and reply address are usable. The entry is acknowledged only once all of
   * this is stored, with its other requests' replies.
   */
  #refuse(entry: PendingEntry, records: Rejected[]): void {
    for (const r of records) {
      const told = r.replyTo !== undefined && r.id !== undefined
      const letter = {
        ...{ reason: 'MALFORMED' as const, detail: r.reason, entry: entry.id, request: r.id, replyTo: r.replyTo },
        ...{ method: r.method, record: r.record, told },
      }
      void this.#deadLetters.record(entry.source, letter).then((stored) => {
        if (!stored || !told) {
          this.#replies.settleOne(entry, stored)
          return
        }
        const error = notRun('codec', 'CodecError', `the request record is malformed: ${r.reason}`)
        const payload = sized(JSON.stringify(error))
        this.#replies.send(r.replyTo!, FALLBACK_MAX_LENGTH, r.id!, ERROR_JSON, payload, entry, 0)
      })
    }
  }

  /** The caller cancelled `requestId`: aborts its handler, or remembers it so it is answered unrun. */
  cancel(requestId: string): void {
    const running = this.#known.get(requestId)
    if (running) {
      running.abort.abort(new AbortError('the caller cancelled the request'))
      return
    }
    this.#cancelled.add(requestId)
    if (this.#cancelled.size > CANCELLED_MEMORY) {
      const oldest = this.#cancelled.values().next().value
      if (oldest !== undefined) this.#cancelled.delete(oldest)
    }
  }

  /**
   * Stop without drain: requests waiting for a slot are answered unrun, running handlers are aborted and their callers
   * answered at once, both with ShutdownError.
   */
  shutdown(): void {
    for (const work of this.#queue.splice(0)) {
      this.#known.delete(work.request.id)
      this.#replyError(work, codecNamed(work.request.codec, this.#settings.codec), {
        ...notRun('shutdown', 'ShutdownError', 'the provider stopped before the request was started'),
      })
    }
    for (const running of this.#known.values()) {
      if (!running || running.answered) continue
      running.answered = true
      running.abort.abort(new ShutdownError('the provider is stopping'))
      this.#replyError(running.work, running.codec, {
        kind: 'shutdown',
        name: 'ShutdownError',
        message: 'the provider stopped while the request ran',
        notExecuted: false,
      })
    }
    this.slots.interrupt()
  }

  /** A batch just read is about to be handed over: its replies wait for {@link flushReplies}, in the same turn. */
  holdReplies(): void {
    this.#replies.hold()
  }

  /**
   * A batch just read has been handed over: the replies its handlers gave at once leave now, ahead of the next read,
   * rather than at the end of the turn.
   */
  flushReplies(): void {
    this.#replies.flush()
  }

  /** Resolves once every reply queued so far has been sent. */
  settle(): Promise<void> {
    return this.#replies.settle()
  }

  #pump(): void {
    while (this.slots.free > 0 && this.#queue.length > 0) {
      const work = this.#queue.shift()!
      this.slots.take()
      this.#serve(work)
    }
    this.slots.interrupt()
  }

  /** Serves one request that holds a slot: answered unrun when refused, else by its handler. */
  #serve(work: Work): void {
    const { request, entry } = work
    const codec = codecNamed(request.codec, this.#settings.codec)
    const deadline = entry.source.clock.toLocal(entry.stampedAt + request.timeLeftMs)
    const handler = this.#handlers.get(request.method)
    const refusal = this.#refusal(request, codec, deadline, handler)
    if (refusal) {
      this.#skip(work, codec, refusal)
      return
    }
    this.#run(work, codec!, handler!, deadline)
  }

  /**
   * Runs the handler of a request that passed {@link #refusal} (so its codec and handler exist). A handler that
   * returns a plain value is answered at once, in the same turn (no promise per call); one that returns a promise is
   * answered when it settles. The slot is freed after the reply is queued.
   */
  #run(work: Work, codec: Codec, handler: Handler, deadline: number): void {
    const { request } = work
    let params: unknown
    let metadata: Record<string, unknown> = {}
    try {
      params = request.params === undefined ? undefined : decodeWith(codec, request.params, 'params')
      if (request.metadata !== undefined) metadata = decodeWith(codec, request.metadata, 'metadata') as typeof metadata
    } catch (err) {
      this.#skip(work, codec, notRun('codec', 'CodecError', (err as Error).message))
      return
    }
    const running: Running = { work, codec, abort: new AbortLater(deadline), answered: false }
    this.#known.set(request.id, running)
    const attempt = request.attempt + (work.redelivered ? 1 : 0)
    const ctx = new CallContext(request.id, deadline, attempt, metadata, request.method, running.abort)
    let result: unknown
    try {
      result = handler(params, ctx)
    } catch (error) {
      this.#finish(running, false, error)
      return
    }
    if (isThenable(result)) {
      Promise.resolve(result).then(
        (value) => {
          this.#finish(running, true, value)
          this.#pump()
        },
        (error: unknown) => {
          this.#finish(running, false, error)
          this.#pump()
        },
      )
    } else {
      this.#finish(running, true, result)
    }
  }

  /** Why a request must be answered without running: deadline passed, cancelled, unknown codec or method. */
  #refusal(
    request: ReadRequest,
    codec: Codec | undefined,
    deadline: number,
    handler: Handler | undefined,
  ): WireError | undefined {
    if (performance.now() >= deadline) {
      return notRun('timeout', 'TimeoutError', 'the deadline passed before the request was started')
    }
    if (this.#cancelled.size > 0 && this.#cancelled.delete(request.id)) {
      return notRun('aborted', 'AbortError', 'the caller cancelled before the request was started')
    }
    if (!codec) return notRun('codec', 'CodecError', `the provider does not know the codec '${request.codec}'`)
    if (!handler) {
      const methods = [...this.#handlers.keys()].sort()
      const known = methods.join(', ') || '(none)'
      return {
        ...notRun('remote', 'UnknownMethodError', `unknown method '${request.method}'; known: ${known}`),
        code: 'UNKNOWN_METHOD',
        data: { method: request.method, methods },
      }
    }
    return undefined
  }

  /** A request answered without running its handler. */
  #skip(work: Work, codec: Codec | undefined, error: WireError): void {
    this.#known.delete(work.request.id)
    this.#replyError(work, codec, error)
    this.slots.release()
  }

  /** The handler is done: answers (unless a stop without drain did already) and frees its slot. */
  #finish(running: Running, ok: boolean, outcome: unknown): void {
    running.abort.done()
    this.#known.delete(running.work.request.id)
    if (!running.answered) {
      running.answered = true
      if (ok) this.#replyResult(running.work, running.codec, outcome)
      else this.#replyError(running.work, running.codec, remoteWireError(outcome, this.#settings.debug))
    }
    this.slots.release()
  }

  #replyResult(work: Work, codec: Codec, value: unknown): void {
    let payload: Sized | undefined
    try {
      payload = value === undefined ? undefined : sized(encodeWith(codec, value, 'result'))
    } catch (err) {
      const message = (err as Error).message
      this.#replyError(work, codec, { kind: 'codec', name: 'CodecError', message, notExecuted: false })
      return
    }
    const limit = this.#settings.maxPayloadBytes
    const size = payload?.bytes ?? 0
    if (size > limit) {
      this.#replyError(work, codec, {
        kind: 'too_large',
        name: 'PayloadTooLargeError',
        message: `the result is ${size} bytes encoded, over maxPayloadBytes (${limit})`,
        data: { size, limit },
        notExecuted: false,
      })
      return
    }
    this.#send(work, OK, payload)
  }

  #replyError(work: Work, codec: Codec | undefined, error: WireError): void {
    if (codec) {
      for (const candidate of [error, { ...error, data: undefined }]) {
        let encoded: Encoded
        try {
          encoded = encodeWith(codec, candidate, 'error')
        } catch {
          continue // data the codec cannot carry: the error still goes, without it
        }
        this.#send(work, ERROR, sized(encoded))
        return
      }
    }
    const { data: _dropped, ...plain } = error
    this.#send(work, ERROR_JSON, sized(JSON.stringify(plain)))
  }

  #send(work: Work, status: string, payload: Sized | undefined): void {
    const { request, entry } = work
    const deadline = entry.source.clock.toLocal(entry.stampedAt + request.timeLeftMs)
    this.#replies.send(request.replyTo, request.replyMaxLength, request.id, status, payload, entry, deadline)
  }
}

function notRun(kind: WireError['kind'], name: string, message: string): WireError {
  return { kind, name, message, notExecuted: true }
}
