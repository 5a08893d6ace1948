import { now } from './clock.js'
import { LockLostError, type LostHold } from './errors.js'

/** What a keeper keeps alive: a `Lock`, or a read, write or permit hold. */
export interface Keepable extends LostHold {
  readonly remaining: number
  extend(ttl: number): Promise<unknown>
}

/** Limits of an automatically extended hold. */
export interface KeeperLimits {
  /** Ttl of each extension. */
  readonly ttl: number
  /** Extend when less validity than this is left. */
  readonly threshold: number
  readonly maxExtensions: number
  readonly maxHoldMs: number
}

/**
 * Keeps a lock alive while a routine runs: extends it before it expires and, when an extension fails or a limit
 * stops the extensions, reports the loss at the lock's validity deadline at the latest, which is before any other
 * process could take it (validity already subtracts drift).
 */
export class LockKeeper<L extends Keepable> {
  #extensions = 0
  #reachedHoldLimit = false
  #stopped = false
  #extendTimer: ReturnType<typeof setTimeout> | undefined
  #expiryTimer: ReturnType<typeof setTimeout> | undefined
  readonly #since = now()

  constructor(
    private readonly lock: L,
    private readonly limits: KeeperLimits,
    private readonly onLost: (error: LockLostError<L>) => void,
  ) {}

  /** Starts watching. */
  start(): void {
    this.#schedule()
  }

  /** Stops every timer; nothing is reported afterwards. */
  stop(): void {
    this.#stopped = true
    clearTimeout(this.#extendTimer)
    clearTimeout(this.#expiryTimer)
  }

  #holdLeft(): number {
    return this.limits.maxHoldMs - (now() - this.#since)
  }

  #threshold(): number {
    return Math.min(this.limits.threshold, Math.floor(this.limits.ttl / 2))
  }

  /** After an extension cut short by the hold limit, the lock ends with it: no more extensions. */
  #mayExtend(): boolean {
    return !this.#reachedHoldLimit && this.#extensions < this.limits.maxExtensions && this.#holdLeft() >= 1
  }

  #schedule(): void {
    clearTimeout(this.#extendTimer)
    clearTimeout(this.#expiryTimer)
    const left = this.lock.remaining
    const endsIn = Math.min(left, this.#holdLeft())
    this.#expiryTimer = setTimeout(() => {
      const why = this.#mayExtend()
        ? 'its validity ran out before an extension succeeded'
        : 'its hold limit was reached'
      this.#lose(new LockLostError(this.lock, why))
    }, endsIn)
    if (!this.#mayExtend()) return
    this.#extendTimer = setTimeout(() => void this.#extend(), Math.max(0, left - this.#threshold()))
  }

  async #extend(): Promise<void> {
    const ttl = Math.min(this.limits.ttl, Math.floor(this.#holdLeft()))
    if (ttl < 1) return
    try {
      await this.lock.extend(ttl)
      this.#extensions++
      if (ttl < this.limits.ttl) this.#reachedHoldLimit = true
      if (!this.#stopped) this.#schedule()
    } catch (err) {
      this.#lose(err instanceof LockLostError ? (err as LockLostError<L>) : new LockLostError(this.lock, String(err)))
    }
  }

  #lose(error: LockLostError<L>): void {
    if (this.#stopped) return
    this.stop()
    this.onLost(error)
  }
}
