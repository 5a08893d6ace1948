import { now } from './clock.js'
import type { GrantTally, Heard } from './directGrant.js'
import { PARTIAL_GRANT_MS } from './EarlyHandOvers.js'
import type { Lock } from './Lock.js'

/** Why a wait ended (`handed`: a quorum of instances handed the lock over to it, see `directGrant.ts`). */
export type WaitEnd = 'wake' | 'timer' | 'aborted' | 'timeout' | 'granted' | 'handed'

/**
 * One acquire that waits for its turn. A wake-up that comes while it is busy with an attempt is kept, so a release
 * racing with a failing attempt is never lost.
 */
export class Waiter {
  /** True while it is in the wait queue. */
  queued = false
  /** Attempts made so far. */
  attempts = 0
  /** The lock handed over to it by the previous holder in this process. */
  granted: Lock | undefined
  /** The hand-overs announced to it by the instances (a one-resource waiter queued in Redis). */
  tally: GrantTally | undefined
  /**
   * Queued in Redis with a grant value (`directGrant.ts`): a release there hands it the lock itself when its turn
   * comes, so a release of this Redlock does not wake it to claim (see `WaitQueue.release`).
   */
  awaitsGrant = false
  #wake: ((why: WaitEnd) => void) | undefined
  #wokenEarly: 'wake' | 'handed' | undefined
  /** The current wait's timer and the monotonic ms it fires at, so {@link hurry} can bring it forward. */
  #timer: ReturnType<typeof setTimeout> | undefined
  #firesAt = 0
  /** A {@link hurry} that came while it was not waiting: the next wait is at most this long (ms). */
  #hurried: number | undefined

  constructor(
    readonly resources: readonly string[],
    /** The ttl it asked for. */
    readonly ttl: number,
    /** Its waiter id, as the queues in Redis know it. */
    readonly id: string,
  ) {}

  /** True while it waits (not during an attempt): only then can a lock be handed over to it. */
  get waiting(): boolean {
    return this.#wake !== undefined
  }

  /** Ends the wait with a lock handed over by the previous holder. */
  grant(lock: Lock): void {
    this.granted = lock
    this.#wake?.('granted')
  }

  /** Ends the current wait (or the next one, if it is not waiting now). */
  wake(): void {
    if (this.#wake) this.#wake('wake')
    else this.#wokenEarly ??= 'wake'
  }

  /** Ends the current wait (or the next one) with a hand-over a quorum agreed on: it takes precedence over a wake. */
  handed(): void {
    if (this.#wake) this.#wake('handed')
    else this.#wokenEarly = 'handed'
  }

  /** Acts on what a tally made of one more hand-over announcement: hold, claim now, claim soon, or nothing. */
  heard(heard: Heard): void {
    if (heard === 'granted') this.handed()
    else if (heard === 'claim') this.wake()
    else if (heard === 'wait') this.hurry(PARTIAL_GRANT_MS)
  }

  /**
   * Ends the current wait (or bounds the next one) after at most `ms` by its timer, as if its retry delay were that
   * short: for a waiter that heard part of a hand-over and must claim soon if the rest does not come.
   */
  hurry(ms: number): void {
    const end = this.#wake
    if (!end) {
      this.#hurried = Math.min(this.#hurried ?? ms, ms)
      return
    }
    if (now() + ms >= this.#firesAt) return
    clearTimeout(this.#timer)
    this.#firesAt = now() + ms
    this.#timer = setTimeout(() => end('timer'), ms)
  }

  /** Waits for a wake-up, at most `delayMs`, until the signal aborts or the monotonic `deadline` passes. */
  wait(delayMs: number, signal: AbortSignal | undefined, deadline: number): Promise<WaitEnd> {
    if (signal?.aborted) return Promise.resolve('aborted')
    const early = this.#wokenEarly
    if (early) {
      this.#wokenEarly = undefined
      return Promise.resolve(early)
    }
    const left = deadline - now()
    if (left <= 0) return Promise.resolve('timeout')
    if (this.#hurried !== undefined) {
      delayMs = Math.min(delayMs, this.#hurried)
      this.#hurried = undefined
    }
    return new Promise((resolve) => {
      const end = (why: WaitEnd) => {
        clearTimeout(this.#timer)
        signal?.removeEventListener('abort', onAbort)
        this.#wake = undefined
        resolve(why)
      }
      const onAbort = () => end('aborted')
      this.#firesAt = now() + Math.min(delayMs, left)
      this.#timer = setTimeout(() => end(delayMs < left ? 'timer' : 'timeout'), Math.min(delayMs, left))
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#wake = end
    })
  }
}
