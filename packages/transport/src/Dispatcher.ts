import type { Acker } from './Acker.js'
import { byteSize, type Codec, codecNamed, decodeWith, type Encoded, encodeWith } from './codec.js'
import { isCluster, type RedisClient, raw } from './connections.js'
import { AbortError, ShutdownError, TimeoutError } from './errors.js'
import type { ServerSettings } from './options.js'
import type { RedisClock } from './RedisClock.js'
import type { Handler, HandlerContext } from './types.js'
import {
  ERROR,
  ERROR_JSON,
  OK,
  parseRequest,
  type ReadRequest,
  remoteWireError,
  replyFields,
  type WireError,
} from './wire.js'

/** The inbox an entry was read from, and the clock of the node that stamped it. */
export interface Source {
  key: string
  clock: RedisClock
}

interface Running {
  readonly request: ReadRequest
  readonly source: Source
  readonly entryId: string
  readonly codec: Codec
  readonly abort: AbortLater
  answered: boolean
}

/**
 * The handler's AbortSignal, made only if the handler looks at it: most handlers never do, and a controller plus a
 * deadline timer per request is measurable at tens of thousands of calls per second.
 */
class AbortLater {
  readonly #deadline: number
  #controller: AbortController | undefined
  #timer: NodeJS.Timeout | undefined
  #reason: Error | undefined

  constructor(deadline: number) {
    this.#deadline = deadline
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController()
      if (this.#reason) this.#controller.abort(this.#reason)
      else {
        const controller = this.#controller
        const wait = Math.max(0, this.#deadline - performance.now())
        this.#timer = setTimeout(() => controller.abort(new TimeoutError('the deadline passed')), wait)
      }
    }
    return this.#controller.signal
  }

  abort(reason: Error): void {
    if (this.#controller) this.#controller.abort(reason)
    else this.#reason ??= reason
    clearTimeout(this.#timer)
  }

  /** The handler is done: its deadline timer must not keep the process alive. */
  done(): void {
    clearTimeout(this.#timer)
  }
}

const CANCELLED_MEMORY = 10_000

/**
 * Serves one inbox entry from start to end: skips it unrun when its deadline passed or it was cancelled, runs its
 * handler, sends exactly one reply, and only then acknowledges it. Every path ends in a reply or leaves the entry
 * pending (reply could not be sent), so a request is never dropped unanswered.
 */
export class Dispatcher {
  readonly #settings: ServerSettings
  readonly #redis: RedisClient
  readonly #cluster: boolean
  readonly #acker: Acker
  readonly #handlers: ReadonlyMap<string, Handler>
  readonly #running = new Map<string, Running>()
  /** Cancellations that arrived before their request was read; insertion-ordered so the oldest go first. */
  readonly #cancelled = new Set<string>()

  constructor(settings: ServerSettings, redis: RedisClient, acker: Acker, handlers: ReadonlyMap<string, Handler>) {
    this.#settings = settings
    this.#redis = redis
    this.#cluster = isCluster(redis)
    this.#acker = acker
    this.#handlers = handlers
  }

  /** Serves one entry; never throws. */
  async dispatch(source: Source, entryId: string, fields: Buffer[] | null, redelivered: boolean): Promise<void> {
    // An entry trimmed while pending has no fields: nobody can be answered, only the bookkeeping is left.
    const request = fields ? parseRequest(fields) : undefined
    if (!request) {
      this.#acker.ack(source.key, entryId)
      return
    }
    // Claimed again by an adoption pass while it runs here: the running copy will answer and acknowledge it.
    if (this.#running.has(request.id)) return
    const codec = codecNamed(request.codec, this.#settings.codec)
    const skip = (error: WireError) => this.#replyError(request, source, entryId, codec, error)
    const stampedAt = Number(entryId.slice(0, entryId.indexOf('-')))
    const deadline = source.clock.toLocal(stampedAt + request.timeLeftMs)
    if (performance.now() >= deadline) {
      return skip(notRun('timeout', 'TimeoutError', 'the deadline passed before the request was started'))
    }
    if (this.#cancelled.delete(request.id)) {
      return skip(notRun('aborted', 'AbortError', 'the caller cancelled before the request was started'))
    }
    if (!codec) return skip(notRun('codec', 'CodecError', `the provider does not know the codec '${request.codec}'`))
    const handler = this.#handlers.get(request.method)
    if (!handler) {
      const methods = [...this.#handlers.keys()].sort()
      return skip({
        ...notRun(
          'remote',
          'UnknownMethodError',
          `unknown method '${request.method}'; known: ${methods.join(', ') || '(none)'}`,
        ),
        code: 'UNKNOWN_METHOD',
        data: { method: request.method, methods },
      })
    }
    let params: unknown
    let metadata: Record<string, unknown> = {}
    try {
      params = request.params === undefined ? undefined : decodeWith(codec, request.params, 'params')
      if (request.metadata !== undefined) metadata = decodeWith(codec, request.metadata, 'metadata') as typeof metadata
    } catch (err) {
      return skip(notRun('codec', 'CodecError', (err as Error).message))
    }
    await this.#run(
      { request, source, entryId, codec, abort: new AbortLater(deadline), answered: false },
      handler,
      params,
      metadata,
      deadline,
      redelivered,
    )
  }

  /** The caller cancelled `requestId`: aborts its handler, or remembers it so it is skipped when read. */
  cancel(requestId: string): void {
    const running = this.#running.get(requestId)
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

  /** Stop without drain: aborts every running handler and answers its caller with ShutdownError at once. */
  async shutdownRunning(): Promise<void> {
    const replies: Promise<void>[] = []
    for (const call of this.#running.values()) {
      if (call.answered) continue
      call.answered = true
      call.abort.abort(new ShutdownError('the provider is stopping'))
      replies.push(
        this.#replyError(call.request, call.source, call.entryId, call.codec, {
          kind: 'shutdown',
          name: 'ShutdownError',
          message: 'the provider stopped while the request ran',
          notExecuted: false,
        }),
      )
    }
    await Promise.all(replies)
  }

  async #run(
    call: Running,
    handler: Handler,
    params: unknown,
    metadata: Record<string, unknown>,
    deadline: number,
    redelivered: boolean,
  ): Promise<void> {
    const { request, abort } = call
    this.#running.set(request.id, call)
    const ctx: HandlerContext = {
      requestId: request.id,
      deadline,
      get signal() {
        return abort.signal
      },
      attempt: request.attempt + (redelivered ? 1 : 0),
      metadata,
      method: request.method,
    }
    let outcome: { ok: true; value: unknown } | { ok: false; error: unknown }
    try {
      outcome = { ok: true, value: await handler(params, ctx) }
    } catch (error) {
      outcome = { ok: false, error }
    } finally {
      abort.done()
    }
    try {
      if (call.answered) return
      call.answered = true
      if (!outcome.ok) {
        await this.#replyError(
          request,
          call.source,
          call.entryId,
          call.codec,
          remoteWireError(outcome.error, this.#settings.debug),
        )
        return
      }
      await this.#replyResult(call, outcome.value)
    } finally {
      this.#running.delete(request.id)
    }
  }

  async #replyResult(call: Running, value: unknown): Promise<void> {
    const { request, source, entryId, codec } = call
    let payload: Encoded | undefined
    try {
      payload = value === undefined ? undefined : encodeWith(codec, value, 'result')
    } catch (err) {
      return this.#replyError(request, source, entryId, codec, {
        kind: 'codec',
        name: 'CodecError',
        message: (err as Error).message,
        notExecuted: false,
      })
    }
    const limit = this.#settings.maxPayloadBytes
    const size = payload === undefined ? 0 : byteSize(payload)
    if (size > limit) {
      return this.#replyError(request, source, entryId, codec, {
        kind: 'too_large',
        name: 'PayloadTooLargeError',
        message: `the result is ${size} bytes encoded, over maxPayloadBytes (${limit})`,
        data: { size, limit },
        notExecuted: false,
      })
    }
    await this.#send(request, source, entryId, OK, payload)
  }

  #replyError(
    request: ReadRequest,
    source: Source,
    entryId: string,
    codec: Codec | undefined,
    error: WireError,
  ): Promise<void> {
    if (codec) {
      for (const candidate of [error, { ...error, data: undefined }]) {
        try {
          return this.#send(request, source, entryId, ERROR, encodeWith(codec, candidate, 'error'))
        } catch {
          // data the codec cannot carry: the error still goes, without it
        }
      }
    }
    const { data: _dropped, ...plain } = error
    return this.#send(request, source, entryId, ERROR_JSON, Buffer.from(JSON.stringify(plain)))
  }

  /**
   * One command per reply. NOMKSTREAM: a caller that is gone (its stream expired) gets nothing, and no key is left
   * behind. The ack follows only once Redis took the reply; if it did not, the entry stays pending.
   */
  async #send(request: ReadRequest, source: Source, entryId: string, status: string, payload?: Encoded): Promise<void> {
    const args: Encoded[] = [
      request.replyTo,
      'NOMKSTREAM',
      'MAXLEN',
      '~',
      String(request.replyMaxLength),
      '*',
      ...replyFields(request.id, status, payload),
    ]
    const sent = raw(this.#redis).xadd(...args)
    if (!this.#cluster) {
      // One connection executes commands in the order written: the ack, queued behind the reply in the same
      // auto-pipelined write, can only take effect once the reply is in Redis. A Cluster gives no such order.
      this.#acker.ack(source.key, entryId)
    }
    try {
      await sent
    } catch (err) {
      this.#settings.onError(err as Error)
      return
    }
    if (this.#cluster) this.#acker.ack(source.key, entryId)
  }
}

function notRun(kind: WireError['kind'], name: string, message: string): WireError {
  return { kind, name, message, notExecuted: true }
}
