import { byId, decodeRecord, type ProviderEvent, parseEvent, recordEntry } from './records.js'
import type { Subscriber } from './Subscriber.js'
import type { ProviderChange, ProviderInfo, RemovalReason, RemovedProvider, WatchListener } from './types.js'

/** What a watch needs from its registry. */
export interface WatchContext {
  service: string
  channel: string
  heartbeatMs: number
  resyncMs: number
  subscriber: Subscriber
  /** Sweeps, then reads every live record: `[removed, live]` record JSON. */
  list(): Promise<[string[], string[]]>
  /** Sweeps only: removed record JSON. */
  sweep(): Promise<string[]>
  onError(error: Error): void
  onClose(watch: Watch): void
}

/**
 * A local copy of one service's live providers. Pub/sub events keep it current at once; a sweep every
 * heartbeat (at most) catches crashed providers even when nobody else reads; a full read every `resyncMs`, and
 * after every reconnection or missed event, heals whatever pub/sub lost. The listener only hears real changes.
 */
export class Watch {
  /** The watched service. */
  readonly service: string
  /** Resolves once the first full read is done (never rejects; failures go to `onError` and are retried). */
  readonly ready: Promise<void>
  readonly #ctx: WatchContext
  readonly #listener: WatchListener
  /** id -> record JSON, as Redis has it (as far as we know). */
  #current = new Map<string, string>()
  /** id -> record JSON, as the listener last heard it. */
  #emitted = new Map<string, string>()
  readonly #reasons = new Map<string, RemovalReason>()
  /** Events that arrive while a full read is in flight, replayed on top of it. */
  #buffer: ProviderEvent[] | undefined
  #syncing: Promise<void> | undefined
  #lastSync = Number.NEGATIVE_INFINITY
  #timer: NodeJS.Timeout | undefined
  #closed = false
  readonly #stopReconnect: () => void
  #markReady: () => void = () => {}

  constructor(ctx: WatchContext, listener: WatchListener) {
    this.service = ctx.service
    this.#ctx = ctx
    this.#listener = listener
    this.#stopReconnect = ctx.subscriber.onReconnect(() => this.#resyncQuietly())
    this.ready = new Promise((resolve) => {
      this.#markReady = resolve
    })
    void this.#start()
  }

  /** The live providers as this watch knows them, sorted by id. */
  get providers(): ProviderInfo[] {
    return byId([...this.#current.values()].map(decodeRecord))
  }

  /** Stops the watch; the listener is not called any more. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearTimeout(this.#timer)
    this.#stopReconnect()
    this.#ctx.onClose(this)
    this.#markReady()
    // Not awaited: while Redis is down an UNSUBSCRIBE would wait for the reconnection, and nothing is delivered
    // to a closed watch anyway.
    this.#ctx.subscriber.remove(this.#ctx.channel, this.#onMessage).catch(() => {})
  }

  async #start(): Promise<void> {
    try {
      await this.#ctx.subscriber.add(this.#ctx.channel, this.#onMessage)
      await this.#resync()
    } catch (err) {
      this.#ctx.onError(err as Error)
    }
    this.#schedule()
  }

  #schedule(): void {
    if (this.#closed) return
    // Never longer than heartbeatMs, so a crash is seen within ttlMs + heartbeatMs; jitter spreads many watches.
    const delay = this.#ctx.heartbeatMs * (0.8 + Math.random() * 0.2)
    this.#timer = setTimeout(() => void this.#tick(), delay)
    this.#timer.unref()
  }

  async #tick(): Promise<void> {
    try {
      if (performance.now() - this.#lastSync >= this.#ctx.resyncMs) await this.#resync()
      else this.#receive({ type: 'removed', reason: 'expired', records: (await this.#ctx.sweep()).map(recordEntry) })
    } catch (err) {
      if (!this.#closed) this.#ctx.onError(err as Error)
    }
    this.#schedule()
  }

  #resyncQuietly(): void {
    this.#resync().catch((err) => {
      if (!this.#closed) this.#ctx.onError(err as Error)
    })
  }

  #resync(): Promise<void> {
    this.#syncing ??= this.#readAll().finally(() => {
      this.#syncing = undefined
    })
    return this.#syncing
  }

  async #readAll(): Promise<void> {
    // Not awaited: a subscriber connection that is down must not stall the sweeps; a subscription restored a moment
    // after this read is covered by the next one.
    this.#ctx.subscriber.refresh(this.#ctx.channel).catch(() => {})
    const buffered: ProviderEvent[] = []
    this.#buffer = buffered
    let removed: string[]
    let live: string[]
    try {
      ;[removed, live] = await this.#ctx.list()
    } finally {
      // On failure the buffered events are dropped: the next successful read covers them.
      this.#buffer = undefined
    }
    if (this.#closed) return
    this.#current = new Map(live.map(recordEntry))
    for (const [id] of removed.map(recordEntry)) this.#reasons.set(id, 'expired')
    for (const event of buffered) this.#apply(event)
    this.#lastSync = performance.now()
    this.#emit()
    this.#markReady()
  }

  readonly #onMessage = (message: string): void => {
    const event = parseEvent(message)
    if (event) this.#receive(event)
  }

  #receive(event: ProviderEvent): void {
    if (this.#closed || event.records.length === 0) return
    if (this.#buffer) {
      this.#buffer.push(event)
      return
    }
    this.#apply(event)
    this.#emit()
  }

  #apply(event: ProviderEvent): void {
    for (const [id, json] of event.records) {
      if (event.type === 'removed') {
        this.#current.delete(id)
        this.#reasons.set(id, event.reason ?? 'vanished')
      } else {
        this.#current.set(id, json)
      }
    }
  }

  #emit(): void {
    const change: ProviderChange = { added: [], removed: [], updated: [] }
    for (const [id, json] of this.#current) {
      const before = this.#emitted.get(id)
      if (before === undefined) change.added.push(decodeRecord(json))
      else if (before !== json) change.updated.push(decodeRecord(json))
    }
    for (const [id, json] of this.#emitted) {
      if (this.#current.has(id)) continue
      const removed: RemovedProvider = { ...decodeRecord(json), reason: this.#reasons.get(id) ?? 'vanished' }
      change.removed.push(removed)
    }
    this.#reasons.clear()
    if (change.added.length + change.removed.length + change.updated.length === 0) return
    this.#emitted = new Map(this.#current)
    byId(change.added)
    byId(change.removed)
    byId(change.updated)
    try {
      this.#listener(this.providers, change)
    } catch (err) {
      this.#ctx.onError(err as Error)
    }
  }
}
