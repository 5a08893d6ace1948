import { connectionFailure, nodeAddresses, type RedisClient, RedisCoreError } from '@org/redis-core'
import { ConnectionError } from '@org/transport'
import { type CallSite, RedisUnavailableError, type RedisUnavailableReason, RedRpcError } from './errors.js'
import type { ConnectionLostEvent, ConnectionRecoveredEvent } from './events.js'

/** A change of the connection, as the RedRpc emits it. */
export type ConnectionChange =
  | { event: 'connectionLost'; payload: ConnectionLostEvent }
  | { event: 'connectionRecovered'; payload: ConnectionRecoveredEvent }

/**
 * Follows the connection of the RedRpc's client, so that work needing Redis fails at once, with a typed error naming
 * the Redis and the cause, when it is known to be down: ioredis would otherwise queue each command and fail it only
 * after its retries (about 10 s, `MaxRetriesPerRequestError`), or never for a blocking one.
 *
 * "Down" means: the client is not ready and its socket reported an error (or closed) since it was last ready. A client
 * still making its first connection is not down until that attempt fails: `whenReady` waits for it, bounded.
 */
export class RedisHealth {
  readonly #redis: RedisClient
  /** The socket error (or close) seen since the client was last ready; undefined while it is fine. */
  #failure: Error | undefined
  /** When the current loss began (`performance.now()`), for `connectionRecovered`'s `downMs`. */
  #lostAt: number | undefined
  readonly #listeners: [string, (...args: unknown[]) => void][]

  /**
   * @param onChange told once when the connection is lost (the first failure since it was last ready) and once when
   *   it is ready again: what the RedRpc's `connectionLost` and `connectionRecovered` events are.
   */
  constructor(redis: RedisClient, onChange: (change: ConnectionChange) => void = () => {}) {
    this.#redis = redis
    // A socket error names the cause best (a refused reconnect after a close): it replaces what a close noted.
    const failed = (err: Error, replace: boolean) => {
      if (replace || this.#failure === undefined) this.#failure = err
      if (this.#lostAt !== undefined) return
      this.#lostAt = performance.now()
      onChange({ event: 'connectionLost', payload: { redis: this.name, reason: reasonOf(err), error: err } })
    }
    const onError = (err: unknown) => {
      if (this.#redis.status !== 'ready') failed(err instanceof Error ? err : new Error(String(err)), true)
    }
    const onClose = () => failed(new Error('Connection is closed.'), false)
    const onReady = () => {
      this.#failure = undefined
      if (this.#lostAt === undefined) return
      const downMs = Math.round(performance.now() - this.#lostAt)
      this.#lostAt = undefined
      onChange({ event: 'connectionRecovered', payload: { redis: this.name, downMs } })
    }
    this.#listeners = [
      ['error', onError],
      ['close', onClose],
      ['ready', onReady],
    ]
    for (const [event, listener] of this.#listeners) redis.on(event, listener)
  }

  /** Whether the client is known to be down (one property read and a compare: fine on a call's path). */
  get down(): boolean {
    return this.#failure !== undefined && this.#redis.status !== 'ready'
  }

  /** `host:port` of the Redis (the first startup node of a Cluster). */
  get name(): string {
    return nodeAddresses(this.#redis)[0] ?? 'unknown'
  }

  /** The typed error for the current failure (or for `cause`). */
  unavailable(site: CallSite = {}, notExecuted = false, cause: unknown = this.#failure): RedisUnavailableError {
    return new RedisUnavailableError(this.name, reasonOf(cause), site, { cause, notExecuted })
  }

  /**
   * Resolves at once when the client is ready; otherwise waits for it up to `timeoutMs`, and rejects with
   * `RedisUnavailableError` as soon as a connection attempt fails (or when the time is up: `timeout`).
   */
  whenReady(timeoutMs: number, site: CallSite = {}): Promise<void> {
    // 'wait': a lazyConnect client connects on its first command, which the work about to run will send.
    if (this.#redis.status === 'ready' || this.#redis.status === 'wait') return Promise.resolve()
    if (this.down) return Promise.reject(this.unavailable(site, true))
    const status = this.#redis.status
    if (status === 'end' || status === 'close') return Promise.reject(this.unavailable(site, true, undefined))
    return new Promise((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer)
        this.#redis.off('ready', onReady)
        this.#redis.off('error', onError)
        this.#redis.off('end', onEnd)
        if (err) reject(err)
        else resolve()
      }
      const onReady = () => done()
      const onError = (err: unknown) => done(this.unavailable(site, true, err))
      const onEnd = () => done(this.unavailable(site, true, new Error('Connection is closed.')))
      const timer = setTimeout(() => done(this.unavailable(site, true, timeoutError(timeoutMs))), timeoutMs)
      this.#redis.on('ready', onReady)
      this.#redis.on('error', onError)
      this.#redis.on('end', onEnd)
    })
  }

  /**
   * `err` as a RedisUnavailableError when it comes from the connection (ioredis' retries given up, a closed
   * connection) while the client is not ready; otherwise `err` unchanged.
   */
  wrap(err: unknown, site: CallSite = {}): unknown {
    if (this.#redis.status === 'ready' || err instanceof RedRpcError) return err
    if (err instanceof TypeError || err instanceof RangeError) return err
    // A package's own verdict (unknown service, closed registry...) stands; only a lost connection is Redis' fault.
    if (err instanceof RedisCoreError && !(err instanceof ConnectionError)) return err
    return this.unavailable(site, false, this.#failure ?? err)
  }

  /** Stops following the client (it belongs to the user). */
  close(): void {
    for (const [event, listener] of this.#listeners) this.#redis.off(event, listener)
  }
}

function timeoutError(ms: number): Error {
  const err = new Error(`no connection within ${ms} ms`) as Error & { code: string }
  err.code = 'ETIMEDOUT'
  return err
}

function reasonOf(cause: unknown): RedisUnavailableReason {
  if (cause === undefined) return 'closed'
  const failure = connectionFailure(cause)
  return failure === 'error' ? 'unreachable' : failure
}
