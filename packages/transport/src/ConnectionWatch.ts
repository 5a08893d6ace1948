import type { RedisClient } from '@org/redis-core'
import type { RedisUnavailableError } from './errors.js'
import { addressOf, reasonOf, unavailable } from './reachable.js'

/**
 * Watches a connection of ours to tell, at no cost per call, whether Redis can be reached now. Once the connection
 * dropped and trying again failed (refused, say: Redis was killed), calls fail at once with RedisUnavailableError
 * instead of waiting in ioredis' offline queue; if it is still down after `graceMs`, `onLost` lets the owner fail
 * the calls already out. A paused or slow Redis keeps its connection and is not "down": those calls wait for their
 * timeout as before.
 */
export class ConnectionWatch {
  readonly #conn: RedisClient
  readonly #address: string
  readonly #graceMs: number
  readonly #onLost: () => void
  #up = true
  #failed = false
  #lastError: Error | undefined
  #timer: NodeJS.Timeout | undefined
  readonly #onReady = () => {
    this.#up = true
    this.#failed = false
    this.#lastError = undefined
    clearTimeout(this.#timer)
  }
  readonly #onError = (err: Error) => {
    this.#lastError = err
    if (!this.#up) this.#failed = true
  }
  readonly #onClose = () => {
    if (!this.#up) return
    this.#up = false
    this.#timer = setTimeout(() => {
      if (!this.#up) this.#onLost()
    }, this.#graceMs).unref()
  }
  readonly #onEnd = () => {
    this.#onClose()
    this.#failed = true
  }

  constructor(conn: RedisClient, redis: RedisClient, graceMs: number, onLost: () => void) {
    this.#conn = conn
    this.#address = addressOf(redis)
    this.#graceMs = graceMs
    this.#onLost = onLost
    conn.on('ready', this.#onReady)
    conn.on('error', this.#onError)
    conn.on('close', this.#onClose)
    conn.on('end', this.#onEnd)
  }

  /** Redis is known to be unreachable now: the connection is down and trying again failed. */
  get down(): boolean {
    return this.#failed
  }

  /** The error for `what` failing because of it. */
  error(what: string, notExecuted: boolean): RedisUnavailableError {
    const reason = this.#lastError ? reasonOf(this.#lastError) : 'lost'
    return unavailable(what, this.#address, reason, this.#lastError, notExecuted)
  }

  stop(): void {
    clearTimeout(this.#timer)
    this.#conn.off('ready', this.#onReady)
    this.#conn.off('error', this.#onError)
    this.#conn.off('close', this.#onClose)
    this.#conn.off('end', this.#onEnd)
  }
}
