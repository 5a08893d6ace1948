import type { RedisClock } from './RedisClock.js'

/** The inbox an entry was read from, its dead-letter stream, and the clock of the node that stamped it. */
export interface Source {
  key: string
  dead: string
  clock: RedisClock
}

/**
 * One inbox entry being served. Each of its requests is settled once: its reply (or its dead letter) is in Redis, or
 * it could not be stored at all. The entry is acknowledged only when every request is settled and stored; if any
 * could not be stored, the entry stays pending and is served again after a restart or an adoption (at least once).
 */
export class PendingEntry {
  readonly source: Source
  readonly id: string
  /** When Redis stamped the entry (the milliseconds of its id), by the clock of the node holding it. */
  readonly stampedAt: number
  /** Requests of the entry served here. */
  readonly requests: number
  /** Requests of the entry not yet settled. */
  left: number
  /** A request could not be stored: the entry must stay pending. */
  #keep = false
  /** Made only for whoever waits (adoption): most entries are never waited for. */
  #settled: Promise<void> | undefined
  #resolve: (() => void) | undefined
  #finished = false

  constructor(source: Source, id: string, requests: number) {
    this.source = source
    this.id = id
    this.stampedAt = Number(id.slice(0, id.indexOf('-')))
    this.requests = requests
    this.left = requests
  }

  /** Resolves once every request is settled and the ack is queued (or given up, if one could not be stored). */
  get settled(): Promise<void> {
    if (!this.#settled) {
      this.#settled = this.#finished
        ? Promise.resolve()
        : new Promise((resolve) => {
            this.#resolve = resolve
          })
    }
    return this.#settled
  }

  /**
   * One request is settled: `stored` when its reply or dead letter is in Redis. Returns true when that was the last
   * one and the entry must now be acknowledged (then {@link finish}); an entry kept pending finishes here.
   */
  settleOne(stored: boolean): boolean {
    if (!stored) this.#keep = true
    if (--this.left > 0) return false
    if (!this.#keep) return true
    this.finish()
    return false
  }

  /** @internal */
  finish(): void {
    this.#finished = true
    this.#resolve?.()
  }
}
