import type { Redis } from 'ioredis'
import { type LuaScript, luaScript, runScript } from './runScript.js'
import { BATCH } from './scripts.js'

const batchScript = luaScript(BATCH)

/** Operations per BATCH call at most, so one call never blocks the server for long. */
const MAX_BATCH = 128

/** One operation of a batch: its code in BATCH, and the script that runs it alone. */
export interface BatchOp {
  readonly code: string
  readonly script: LuaScript
}

interface Queued {
  readonly op: BatchOp
  readonly keyCount: number
  readonly keysThenArgs: readonly (string | number)[]
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown) => void
}

/**
 * Sends an operation at once when nothing else is on its way to the server; otherwise it waits for the end of the
 * current event-loop turn and goes with every other operation asked for meanwhile as one BATCH script call. A lone
 * lock pays no delay; many concurrent locks cost one command, one write and one reply per server instead of one
 * each. Order is kept, so a release and the acquire of the waiter it wakes run in that order.
 */
export class ScriptBatcher {
  #queue: Queued[] = []
  #inFlight = 0
  #scheduled = false

  constructor(private readonly client: Redis) {}

  /**
   * Runs an operation now, or with the batch of this event-loop turn; `later` always waits for the batch, so the
   * code that asked can go on first (a hand-over lets its successor run before the transfer is written).
   */
  run(op: BatchOp, keyCount: number, keysThenArgs: readonly (string | number)[], later = false): Promise<unknown> {
    if (!later && this.#inFlight === 0 && this.#queue.length === 0) {
      this.#inFlight++
      return runScript(this.client, op.script, keyCount, keysThenArgs, this.#done)
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ op, keyCount, keysThenArgs, resolve, reject })
      if (this.#scheduled) return
      this.#scheduled = true
      setImmediate(this.#flush)
    })
  }

  readonly #done = (): void => {
    this.#inFlight--
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
    this.#inFlight++
    if (batch.length === 1) {
      const only = batch[0]!
      runScript(this.client, only.op.script, only.keyCount, only.keysThenArgs, this.#done).then(
        only.resolve,
        only.reject,
      )
      return
    }
    // Keys first, then the count, each operation's header, and every operation's args: one flat array, built once.
    const flat: (string | number)[] = []
    for (const q of batch) for (let i = 0; i < q.keyCount; i++) flat.push(q.keysThenArgs[i]!)
    const keyCount = flat.length
    flat.push(batch.length)
    for (const q of batch) flat.push(q.op.code, q.keyCount, q.keysThenArgs.length - q.keyCount)
    for (const q of batch) for (let i = q.keyCount; i < q.keysThenArgs.length; i++) flat.push(q.keysThenArgs[i]!)
    runScript(this.client, batchScript, keyCount, flat)
      .then(
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
      .finally(this.#done)
  }
}
