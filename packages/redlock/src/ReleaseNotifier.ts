import { duplicateClient, type RedisClient } from '@org/redis-core'
import { releaseChannel } from './keys.js'

/** How long a channel stays subscribed after its last waiter left, so a busy resource does not churn subscriptions. */
const LINGER_MS = 1_000

interface Watch {
  /** Instances that announced a release since the last wake-up. */
  readonly seen: Set<number>
  linger: ReturnType<typeof setTimeout> | undefined
}

/** What the notifier reports, besides releases. */
export interface QueueListener {
  /**
   * A release handed the resource's keys to this waiter id on instance `instance`; `token` and `grant` when it
   * handed them to the waiter's grant value (`>id token grant`, see `scripts/queue.ts`). `resource` is undefined
   * when the message came on the inbox (it names the waiter, not the resource).
   */
  handed(resource: string | undefined, id: string, instance: number, token?: number, grant?: string): void
  /** This waiter id waits for the resource (queued or renewed while it is held). */
  waiting(resource: string, id: string): void
  /**
   * A subscriber connection came back after a cut: what was announced for the resource meanwhile is lost (pub/sub is
   * at most once), so its waiters here should look for themselves.
   */
  missed(resource: string): void
}

/**
 * Listens, on every instance, for releases of the resources somebody here waits for, and reports a release once a
 * quorum of instances announced it (by then the lock is free on a quorum, so the retry can win). Hand-overs (`>id`)
 * and waiters (`?id`) announced on the same channel are reported as they come, and so are the hand-overs and
 * waiters announced on the inbox, when there is one (subscribed with the first watch, before its resource, and kept;
 * a waiter announced there names the lock key: `?id key`). One extra subscriber connection per instance, opened on
 * the first wait.
 */
export class ReleaseNotifier {
  readonly #subscribers: (RedisClient | undefined)[]
  readonly #watches = new Map<string, Watch>()
  readonly #resourceOf = new Map<string, string>()
  #closed = false
  #inboxSubscribed = false

  constructor(
    private readonly clients: readonly RedisClient[],
    private readonly prefix: string,
    private readonly quorum: number,
    private readonly onRelease: (resource: string) => void,
    private readonly onError: (index: number, error: Error) => void,
    private readonly queue: QueueListener,
    /** The channel direct grants to this Redlock's waiters come on (`inboxChannel`), if any. */
    private readonly inbox?: string,
  ) {
    this.#subscribers = clients.map(() => undefined)
  }

  /** Starts listening for releases of the resource (or keeps listening). */
  watch(resource: string): void {
    if (this.#closed) return
    const existing = this.#watches.get(resource)
    if (existing) {
      clearTimeout(existing.linger)
      existing.linger = undefined
      return
    }
    this.#watches.set(resource, { seen: new Set(), linger: undefined })
    this.#subscribeInbox()
    const channel = releaseChannel(this.prefix, resource)
    this.#resourceOf.set(channel, resource)
    let announced = false
    this.clients.forEach((_, i) => {
      this.#subscriber(i)
        .subscribe(channel)
        .then(
          () => {
            // A release may have slipped in before the subscription: one early wake-up covers it.
            if (announced || !this.#watches.has(resource)) return
            announced = true
            this.onRelease(resource)
          },
          (err: Error) => this.onError(i, err),
        )
    })
  }

  /**
   * Subscribes to the inbox on every instance, once. Sent before the first resource's channel on each connection, so
   * the early wake-up once that one is subscribed also covers a grant announced before the inbox was: a waiter
   * registers its inbox with its first refused attempt, before it waits.
   */
  #subscribeInbox(): void {
    const { inbox } = this
    if (inbox === undefined || this.#inboxSubscribed) return
    this.#inboxSubscribed = true
    this.clients.forEach((_, i) => {
      this.#subscriber(i)
        .subscribe(inbox)
        .catch((err: Error) => this.onError(i, err))
    })
  }

  /** Stops listening a little later, unless somebody waits again meanwhile. */
  unwatch(resource: string): void {
    const watch = this.#watches.get(resource)
    if (!watch || watch.linger) return
    watch.linger = setTimeout(() => this.#drop(resource), LINGER_MS)
    watch.linger.unref()
  }

  /** Closes the subscriber connections. */
  close(): void {
    this.#closed = true
    for (const watch of this.#watches.values()) clearTimeout(watch.linger)
    this.#watches.clear()
    this.#resourceOf.clear()
    for (const s of this.#subscribers) s?.disconnect()
    this.#subscribers.fill(undefined)
  }

  #drop(resource: string): void {
    this.#watches.delete(resource)
    const channel = releaseChannel(this.prefix, resource)
    this.#resourceOf.delete(channel)
    this.#subscribers.forEach((s, i) => {
      s?.unsubscribe(channel).catch((err: Error) => this.onError(i, err))
    })
  }

  #subscriber(i: number): RedisClient {
    const existing = this.#subscribers[i]
    if (existing) return existing
    const subscriber = duplicateClient(this.clients[i]!)
    subscriber.on('error', (err: Error) => this.onError(i, err))
    let connected = false
    subscriber.on('ready', () => {
      if (!connected) {
        connected = true
        return
      }
      // Reconnected: ioredis subscribed again before this event; the PING's reply comes after those subscriptions
      // took effect, so a hand-over announced from then on is heard, and one announced before is found by the
      // waiters' attempts. Without this they waited for their next lease renewal (up to a third of a second).
      subscriber.ping().then(
        () => {
          for (const resource of this.#watches.keys()) this.queue.missed(resource)
        },
        (err: Error) => this.onError(i, err),
      )
    })
    subscriber.on('message', (channel: string, message: string) => this.#heard(i, channel, message))
    this.#subscribers[i] = subscriber
    return subscriber
  }

  #heard(i: number, channel: string, message: string): void {
    if (channel === this.inbox) {
      if (message.startsWith('>')) this.#handed(undefined, i, message)
      else if (message.startsWith('?')) this.#waiting(message)
      return
    }
    const resource = this.#resourceOf.get(channel)
    const watch = resource === undefined ? undefined : this.#watches.get(resource)
    if (!watch || resource === undefined) return
    if (message.startsWith('>')) {
      this.#handed(resource, i, message)
      return
    }
    if (message.startsWith('?')) {
      this.queue.waiting(resource, message.slice(1))
      return
    }
    watch.seen.add(i)
    if (watch.seen.size < this.quorum) return
    watch.seen.clear()
    this.onRelease(resource)
  }

  /** Reports a waiter announced on the inbox, `?id key`, for the resource of that lock key (watched here or not). */
  #waiting(message: string): void {
    const space = message.indexOf(' ')
    if (space < 0) return
    const key = message.slice(space + 1)
    const start = `${this.prefix}{`
    if (!key.startsWith(start) || !key.endsWith('}')) return
    this.queue.waiting(key.slice(start.length, -1), message.slice(1, space))
  }

  /** Reports a hand-over: `>id`, or `>id token grant`. */
  #handed(resource: string | undefined, i: number, message: string): void {
    const space = message.indexOf(' ')
    const next = space < 0 ? -1 : message.indexOf(' ', space + 1)
    if (next < 0) {
      this.queue.handed(resource, space < 0 ? message.slice(1) : message.slice(1, space), i)
      return
    }
    const token = Number(message.slice(space + 1, next))
    this.queue.handed(resource, message.slice(1, space), i, token, message.slice(next + 1))
  }
}
