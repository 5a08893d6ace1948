import { assertClient, assertName, PRINTABLE_NAME, type RedisClient } from '@org/redis-core'
import { Acker } from './Acker.js'
import { adoptInbox } from './adopt.js'
import { CancelListener } from './CancelListener.js'
import { close, commandConnection, direct, type Writer } from './connections.js'
import { Dispatcher } from './Dispatcher.js'
import { ShutdownError } from './errors.js'
import { InboxReader } from './InboxReader.js'
import { cancelKey, deadLetterKey, GROUP, inboxKey } from './keys.js'
import { type ServerSettings, serverSettings, type TransportServerOptions } from './options.js'
import type { Source } from './PendingEntry.js'
import { RedisClock } from './RedisClock.js'
import { addressOf, connectReady, unavailable, within } from './reachable.js'
import type { Handler } from './types.js'

/** Options of {@link TransportServer.stop}. */
export interface StopOptions {
  /** Let running handlers finish and answer (default true); false aborts them and answers ShutdownError. */
  drain?: boolean
  /** Longest wait for draining (default 30000 ms); handlers still running then are treated as with `drain: false`. */
  timeoutMs?: number
}

/** Options of {@link TransportServer.adoptOrphans}. */
export interface AdoptOptions {
  /** Claim only requests the dead provider took at least this long ago (default 0: it is known to be dead). */
  minIdleMs?: number
}

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped'

const RECALIBRATE_MS = 15_000

/**
 * One provider: serves the requests addressed to it in its crash-safe inbox (a Redis stream with a consumer group),
 * at most `concurrency` at once, and can take over the inbox of a dead provider of the same service.
 */
export class TransportServer {
  readonly #redis: RedisClient
  readonly #settings: ServerSettings
  readonly #handlers = new Map<string, Handler>()
  readonly #adoptions = new Map<string, Promise<number>>()
  readonly #inbox: string
  #state: State = 'new'
  #commands: { conn: RedisClient; owned: boolean } | undefined
  #acker: Acker | undefined
  #dispatcher: Dispatcher | undefined
  #reader: InboxReader | undefined
  #cancels: CancelListener | undefined
  #source: Source | undefined
  #recalibrate: NodeJS.Timeout | undefined
  #stopping: Promise<void> | undefined
  #wakeStop: () => void = () => {}
  readonly #stopped = new Promise<void>((resolve) => {
    this.#wakeStop = resolve
  })

  /** Checks the options at once (TypeError/RangeError naming the option); connects only at `start()`. */
  constructor(redis: RedisClient, options: TransportServerOptions) {
    assertClient(redis, 'redis')
    this.#redis = redis
    this.#settings = serverSettings(options)
    this.#inbox = inboxKey(this.#settings.namespace, this.#settings.service, this.#settings.providerId)
  }

  /** This provider's id. */
  get providerId(): string {
    return this.#settings.providerId
  }

  /** The service it serves. */
  get service(): string {
    return this.#settings.service
  }

  /** The Redis key of its inbox stream. */
  get inboxKey(): string {
    return this.#inbox
  }

  /** Handlers running now. */
  get running(): number {
    return this.#dispatcher?.slots.used ?? 0
  }

  /** Requests taken from an inbox and waiting for a free slot. */
  get queued(): number {
    return (this.#dispatcher?.busy ?? 0) - this.running
  }

  /** The methods it serves, sorted. */
  get methods(): string[] {
    return [...this.#handlers.keys()].sort()
  }

  /** Serves `method` with `handler` (also after `start()`); registering a method twice is an error. */
  handle<P = unknown, R = unknown>(method: string, handler: Handler<P, R>): this {
    assertName(method, 'method', PRINTABLE_NAME)
    if (typeof handler !== 'function') throw new TypeError(`the handler of '${method}' must be a function`)
    if (this.#handlers.has(method)) throw new Error(`method '${method}' already has a handler`)
    this.#handlers.set(method, handler as Handler)
    return this
  }

  /** Creates the inbox if needed, serves what this provider had taken before a crash, then new requests. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error(`start() can be called once, on a new server (it is ${this.#state})`)
    this.#state = 'starting'
    const settings = this.#settings
    const commands = commandConnection(this.#redis)
    this.#commands = commands
    let readConn: RedisClient | undefined
    try {
      // The reader's own connection first: it fails fast, naming the cause, when Redis cannot be reached.
      const what = `TransportServer ${settings.service}/${settings.providerId}`
      readConn = await connectReady(this.#redis, settings.connectTimeoutMs, what)
      // The clock next: it only reads, so a start that fails there (Redis refusing scripts, say) leaves no key.
      const clock = new RedisClock(commands.conn, this.#inbox)
      await clock.calibrate()
      await this.#ensureGroup()
      const dead = deadLetterKey(settings.namespace, settings.service, settings.providerId)
      this.#source = { key: this.#inbox, dead, clock }
    } catch (err) {
      this.#state = 'stopped'
      if (readConn) close(readConn)
      if (commands.owned) close(commands.conn)
      throw err
    }
    this.#recalibrate = setInterval(() => {
      this.#source?.clock.calibrate().catch((e: Error) => settings.onError(e))
    }, RECALIBRATE_MS).unref()
    this.#acker = new Acker(commands.conn, settings.onError)
    const along = (write: Writer) => this.#reader?.readAlong(write) ?? false
    const dispatcher = new Dispatcher(settings, commands.conn, this.#acker, along, this.#handlers)
    this.#dispatcher = dispatcher
    const source = this.#source
    this.#reader = new InboxReader({
      conn: readConn,
      commands: commands.conn,
      key: this.#inbox,
      consumer: settings.providerId,
      batchSize: settings.batchSize,
      blockMs: settings.blockMs,
      room: () => dispatcher.room,
      whenRoom: () => dispatcher.whenRoom(),
      accepting: () => dispatcher.holdReplies(),
      accept: (entryId, fields, redelivered) => {
        dispatcher.accept(source, entryId, fields, redelivered)
      },
      accepted: () => dispatcher.flushReplies(),
      ensureGroup: () => this.#ensureGroup(),
      onError: settings.onError,
    })
    this.#cancels = new CancelListener(
      this.#redis,
      cancelKey(settings.namespace, settings.service, settings.providerId),
      settings.blockMs,
      (id) => dispatcher.cancel(id),
      settings.onError,
    )
    this.#reader.start()
    this.#cancels.start()
    this.#state = 'running'
  }

  /**
   * Stops taking requests. With `drain` (default) running handlers finish, answer and are acknowledged; without, they
   * are aborted and answered with ShutdownError. Unread requests stay in the inbox for an adopter (or a restart).
   */
  stop(options: StopOptions = {}): Promise<void> {
    if (typeof options !== 'object' || options === null) throw new TypeError('stop options must be an object')
    const drain = options.drain ?? true
    if (typeof drain !== 'boolean') throw new TypeError('stop options.drain must be a boolean')
    const timeoutMs = options.timeoutMs ?? 30_000
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) throw new RangeError('stop options.timeoutMs must be >= 0')
    if (this.#state === 'new') {
      this.#state = 'stopped'
      return Promise.resolve()
    }
    this.#stopping ??= this.#stop(drain, timeoutMs)
    return this.#stopping
  }

  /**
   * Takes over the inbox of `providerId`, a dead provider of the same service: requests it had taken but not
   * answered run here again (at least once), unread ones run here, all within this server's concurrency. Then the
   * orphan inbox is deleted so later senders get NoProviderError at once. Resolves with the number taken over.
   */
  async adoptOrphans(providerId: string, options: AdoptOptions = {}): Promise<number> {
    assertName(providerId, 'providerId', PRINTABLE_NAME)
    if (providerId === this.#settings.providerId) {
      throw new RangeError('providerId must name another provider: a server cannot adopt its own inbox')
    }
    const minIdleMs = options.minIdleMs ?? 0
    if (!Number.isFinite(minIdleMs) || minIdleMs < 0) throw new RangeError('options.minIdleMs must be >= 0')
    if (this.#state !== 'running')
      throw new ShutdownError(`adoptOrphans() needs a running server (it is ${this.#state})`)
    const key = inboxKey(this.#settings.namespace, this.#settings.service, providerId)
    // Two passes over one inbox at once would claim each other's entries: callers share the one in progress.
    const current = this.#adoptions.get(key)
    if (current) return current
    const dispatcher = this.#dispatcher!
    const adoption = adoptInbox({
      commands: this.#commands!.conn,
      key,
      dead: deadLetterKey(this.#settings.namespace, this.#settings.service, providerId),
      consumer: this.#settings.providerId,
      batchSize: this.#settings.batchSize,
      minIdleMs,
      stopping: () => this.#state !== 'running',
      room: () => dispatcher.room,
      whenRoom: () => Promise.race([dispatcher.whenRoom(), this.#stopped]),
      accept: (source, entryId, fields, redelivered) => dispatcher.accept(source, entryId, fields, redelivered),
      settleAcks: async () => {
        await dispatcher.settle()
        await this.#acker!.settle()
      },
    }).finally(() => this.#adoptions.delete(key))
    this.#adoptions.set(key, adoption)
    return adoption
  }

  async #ensureGroup(): Promise<void> {
    try {
      await direct(this.#commands!.conn, 'xgroup', ['CREATE', this.#inbox, GROUP, '0', 'MKSTREAM'])
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('BUSYGROUP')) throw err
    }
  }

  /**
   * Waits on Redis at most `closeTimeoutMs` in all (ending the read, then flushing replies and acks), so a stop with
   * Redis gone still settles; draining handlers is bounded by `timeoutMs` on its own. Replies or acks not confirmed in
   * time are reported through onError; their requests stay pending and run again after a restart or an adoption.
   */
  async #stop(drain: boolean, timeoutMs: number): Promise<void> {
    this.#state = 'stopping'
    this.#wakeStop()
    const { closeTimeoutMs, onError } = this.#settings
    const stopAt = performance.now()
    await this.#reader?.stop(closeTimeoutMs)
    let budget = closeTimeoutMs - (performance.now() - stopAt)
    const dispatcher = this.#dispatcher
    if (drain && dispatcher && dispatcher.busy > 0) {
      let timer: NodeJS.Timeout | undefined
      await Promise.race([
        dispatcher.whenIdle(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs)
        }),
      ])
      clearTimeout(timer)
    }
    dispatcher?.shutdown()
    const flushAt = performance.now()
    const acker = this.#acker
    const flushed = await within(
      (async () => {
        await dispatcher?.settle()
        await acker?.settle()
      })(),
      budget,
    )
    acker?.close()
    if (!flushed) {
      const what = `TransportServer ${this.#settings.service}/${this.#settings.providerId} stop`
      const error = unavailable(what, addressOf(this.#redis), 'timeout', undefined, false, closeTimeoutMs)
      error.message += '; replies or acks not confirmed stay pending and run again after a restart or an adoption'
      onError(error)
    }
    budget -= performance.now() - flushAt
    if (this.#cancels) await within(this.#cancels.stop(), budget)
    clearInterval(this.#recalibrate)
    if (this.#commands?.owned) close(this.#commands.conn)
    this.#state = 'stopped'
  }
}
