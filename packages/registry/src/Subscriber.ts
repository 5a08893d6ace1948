import type { RedisClient } from '@org/redis-core'

type Handler = (message: string) => void

/**
 * One pub/sub connection shared by every watch of a registry, dispatching messages by channel. Subscriptions are
 * re-sent on every resync: SUBSCRIBE is idempotent, and it heals a subscription dropped behind our back.
 */
export class Subscriber {
  readonly #conn: RedisClient
  readonly #owned: boolean
  readonly #handlers = new Map<string, Set<Handler>>()
  readonly #reconnectListeners = new Set<() => void>()
  #connectedOnce: boolean

  constructor(conn: RedisClient, owned: boolean) {
    this.#conn = conn
    this.#owned = owned
    this.#connectedOnce = conn.status === 'ready'
    conn.on('message', this.#onMessage)
    conn.on('ready', this.#onReady)
    if (owned) conn.on('error', () => {}) // failures surface through the calls that need the connection
  }

  /** Starts delivering `channel`'s messages to `handler`. */
  async add(channel: string, handler: Handler): Promise<void> {
    let set = this.#handlers.get(channel)
    if (!set) {
      set = new Set()
      this.#handlers.set(channel, set)
    }
    set.add(handler)
    await this.#conn.subscribe(channel)
  }

  /** Stops delivering to `handler`; unsubscribes when nobody listens any more. */
  async remove(channel: string, handler: Handler): Promise<void> {
    const set = this.#handlers.get(channel)
    if (!set?.delete(handler) || set.size > 0) return
    this.#handlers.delete(channel)
    await this.#conn.unsubscribe(channel)
  }

  /** Subscribes again (no-op on the server when still subscribed). */
  async refresh(channel: string): Promise<void> {
    if (this.#handlers.has(channel)) await this.#conn.subscribe(channel)
  }

  /** Calls `listener` after each reconnection (not the first connection). Returns a function that stops it. */
  onReconnect(listener: () => void): () => void {
    this.#reconnectListeners.add(listener)
    return () => this.#reconnectListeners.delete(listener)
  }

  /** Detaches; disconnects the connection when this registry made it. */
  close(): void {
    this.#conn.off('message', this.#onMessage)
    this.#conn.off('ready', this.#onReady)
    this.#handlers.clear()
    this.#reconnectListeners.clear()
    if (this.#owned) this.#conn.disconnect()
  }

  readonly #onMessage = (channel: string, message: string): void => {
    const set = this.#handlers.get(channel)
    if (set) for (const handler of set) handler(message)
  }

  readonly #onReady = (): void => {
    if (!this.#connectedOnce) {
      this.#connectedOnce = true
      return
    }
    for (const listener of this.#reconnectListeners) listener()
  }
}
