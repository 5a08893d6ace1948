import type { RedisClient } from '@org/redis-core'
import { canReadAlong, inOneWrite, type Writer } from './connections.js'

/**
 * The next blocking read of a reader that follows a stream on a connection of its own (StreamFollower, InboxReader):
 * the one place that decides when it is issued.
 *
 * After a read returns, the next one waits for the next event-loop turn ({@link waitTurn}), so the replies and
 * requests the last batch produced (written from microtasks) leave first. {@link carry} issues it sooner, right behind
 * a caller's commands in one socket write, and cuts that wait: one write then wakes Redis instead of two (on a small
 * VM each write that wakes Redis costs tens of microseconds, more than the commands), and the process skips a pass
 * through the event loop just after the write that matters, leaving the CPU to the peer being woken. This is what
 * keeps a lone caller's round trip near the raw floor (benchmark R1).
 */
export class NextRead<R> {
  /** The read out now, if any. */
  current: Promise<R> | undefined
  readonly #conn: RedisClient
  readonly #issue: () => Promise<R>
  /** A read returned and its entries were handed over: the connection is idle until the next read. */
  #idle = false
  #immediate: NodeJS.Immediate | undefined
  #resolve: (() => void) | undefined
  readonly #cut = () => this.#endWait()

  constructor(conn: RedisClient, issue: () => Promise<R>) {
    this.#conn = conn
    this.#issue = issue
  }

  /** The read in flight returned and was handled: a caller's commands may now carry the next one. */
  idle(): void {
    this.current = undefined
    this.#idle = true
  }

  /** The read in flight failed or was taken: nothing is out. */
  clear(): void {
    this.current = undefined
  }

  /**
   * Between two reads, issues `write`'s commands on the reader's connection and the next read right behind them, in
   * one socket write; returns false (nothing issued) while a read is out or where the connection cannot carry it (a
   * Cluster, a connection not ready).
   */
  carry(write: Writer): boolean {
    if (!this.#idle || !canReadAlong(this.#conn)) return false
    inOneWrite(this.#conn, (c) => {
      write(c)
      this.issue()
    })
    this.#endWait()
    return true
  }

  /** Issues the next read unless one is out; returns it. */
  issue(): Promise<R> {
    if (!this.current) {
      this.#idle = false
      this.current = this.#issue()
    }
    return this.current
  }

  /** Waits for the next event-loop turn, or less when {@link carry} comes first. */
  waitTurn(): Promise<void> {
    return new Promise((resolve) => {
      this.#resolve = resolve
      this.#immediate = setImmediate(this.#cut)
    })
  }

  /**
   * Runs a reader's loop to its end; a read it leaves out (issued along with a caller's commands just before the
   * reader stopped) fails with the closed connection, and that failure is swallowed here.
   */
  async run(loop: () => Promise<void>): Promise<void> {
    try {
      await loop()
    } finally {
      this.current?.catch(() => {})
    }
  }

  #endWait(): void {
    const resolve = this.#resolve
    if (!resolve) return
    clearImmediate(this.#immediate)
    this.#immediate = undefined
    this.#resolve = undefined
    resolve()
  }
}
