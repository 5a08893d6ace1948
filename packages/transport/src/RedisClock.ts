import { type RedisClient, runScript } from '@org/redis-core'
import { NODE_TIME } from './scripts.js'

/**
 * Maps the clock of the Redis node holding `key` onto this process' monotonic clock. Deadlines are stamped in that
 * node's time (a stream id is its milliseconds), so they are never compared with this machine's wall clock.
 */
export class RedisClock {
  readonly #redis: RedisClient
  readonly #key: string
  /** Redis milliseconds minus `performance.now()`. */
  #offset = 0
  #bestRoundTrip = Number.POSITIVE_INFINITY
  #calibrated = false

  constructor(redis: RedisClient, key: string) {
    this.#redis = redis
    this.#key = key
  }

  /** Asks the node for its time; the answer with the shortest round trip so far wins, being the most precise. */
  async calibrate(): Promise<void> {
    const before = performance.now()
    const time = await runScript<[string, string]>(this.#redis, NODE_TIME, [this.#key])
    const after = performance.now()
    const roundTrip = after - before
    const redisMs = Number(time[0]) * 1000 + Number(time[1]) / 1000
    // A fresh sample always replaces an old one after a while: the two clocks drift apart slowly.
    if (!this.#calibrated || roundTrip <= this.#bestRoundTrip * 2) {
      this.#offset = redisMs - (before + after) / 2
      this.#bestRoundTrip = Math.min(this.#bestRoundTrip, roundTrip)
      this.#calibrated = true
    }
  }

  /** The local monotonic time (`performance.now()` scale) at which the node's clock shows `redisMs`. */
  toLocal(redisMs: number): number {
    return redisMs - this.#offset
  }
}
