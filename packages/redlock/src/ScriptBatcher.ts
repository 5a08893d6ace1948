import { pendingReplies, runScript, type ScriptArg } from '@org/redis-core'
import type { Redis } from 'ioredis'
import { BATCH } from './scripts/batch.js'
import type { Operation } from './scripts/Operation.js'

/** Operations per BATCH call at most, so one call never blocks the server for long. */
const MAX_BATCH = 128

interface Queued {
  readonly op: Operation
  readonly keys: readonly string[]
  readonly args: readonly ScriptArg[]
  readonly resolve: (reply: unknown) => void
  readonly reject: (error: unknown) => void
}

/**
 * The first operation of a turn is written at once; the ones asked for later in the same turn (until its promise
 * reactions have all run: the flush is a `process.nextTick`, so it costs no extra event-loop phase) wait for its end
 * and go together as one BATCH script call. A lone lock pays no delay, not even on a connection still
 * waiting for an earlier reply (a batch of one would only add a hop); many concurrent locks cost one command, one
 * write and one reply per server instead of one each. Order is kept, so a release and the acquire of the waiter it
 * wakes run in that order.
 */
export class ScriptBatcher {
  #queue: Queued[] = []
  /** A flush is due at the end of this turn: later operations of the turn join its batch. */
  #scheduled = false

  constructor(private readonly client: Redis) {}

  /**
   * Runs an operation now, or with the batch of this event-loop turn, and resolves with its raw reply; `later` always
   * waits for the batch, so the code that asked can go on first (a hand-over lets its successor run before the
   * transfer is written).
   */
  readonly run = (
    op: Operation,
    keys: readonly string[],
    args: readonly ScriptArg[],
    later = false,
  ): Promise<unknown> => {
    if (!later && !this.#scheduled) {
      // A connection with at most one reply in flight needs no turn marker: that is the normal state of a caller
      // that goes one lock at a time (its last operation settled at a quorum, and the slowest instance's reply is
      // still on its way), and nothing else is likely to follow before the reply (see `pendingReplies`).
      if (pendingReplies(this.client) > 1) this.#schedule()
      return runScript(this.client, op.script, keys, args)
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ op, keys, args, resolve, reject })
      this.#schedule()
    })
  }

  #schedule(): void {
    if (this.#scheduled) return
    this.#scheduled = true
    process.nextTick(this.#flush)
  }

  readonly #flush = (): void => {
    this.#scheduled = false
    while (this.#queue.length > 0) {
      const batch = this.#queue.length <= MAX_BATCH ? this.#queue : this.#queue.slice(0, MAX_BATCH)
      this.#queue = batch === this.#queue ? [] : this.#queue.slice(MAX_BATCH)
      this.#send(batch)
    }
  }

  #send(batch: Queued[]): void {
    if (batch.length === 1) {
      const only = batch[0]!
      runScript(this.client, only.op.script, only.keys, only.args).then(only.resolve, only.reject)
      return
    }
    // Every operation's keys in order; then the count, each operation's header, and every operation's args.
    const keys: string[] = []
    for (const q of batch) for (const key of q.keys) keys.push(key)
    const args: ScriptArg[] = [batch.length]
    for (const q of batch) args.push(q.op.code, q.keys.length, q.args.length)
    for (const q of batch) for (const arg of q.args) args.push(arg)
    runScript(this.client, BATCH, keys, args).then(
      (replies) => {
        batch.forEach((q, i) => {
          const reply = Array.isArray(replies) ? replies[i] : undefined
          if (reply instanceof Error) q.reject(reply)
          else if (reply === undefined) q.reject(new Error('missing reply in batch'))
          else q.resolve(reply)
        })
      },
      (err: unknown) => {
        for (const q of batch) q.reject(err)
      },
    )
  }
}
