import type { Redis } from 'ioredis'
import { type LuaScript, luaScript, runScript } from './runScript.js'
import { BATCH } from './scripts.js'

const batchScript = luaScript(BATCH)

/** Calls sent and not yet answered before new ones wait to be sent together. */
const MAX_IN_FLIGHT = 2
/** Operations per BATCH call at most, so one call never blocks the server for long. */
const MAX_BATCH = 128

/** One operation of a batch: its code in BATCH, and the script that runs it alone. */
export interface BatchOp {
  readonly code: string
  readonly script: LuaScript
}

interface Queued {
  readonly op: BatchOp
  readonly keys: readonly string[]
  readonly args: readonly (string | number)[]
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown) => void
}

/**
 * Sends operations to one server at once while few calls are in flight; when more are asked for meanwhile they
 * wait and go together as one BATCH script call: a lone lock pays no delay, many concurrent locks cost one command,
 * one write and one reply per server instead of one each. Order is kept, so a release and the acquire of the
 * waiter it wakes run in that order.
 */
export class ScriptBatcher {
  #queue: Queued[] = []
  #inFlight = 0

  constructor(private readonly client: Redis) {}

  /** Runs an operation now, or with the next batch when enough calls are in flight. */
  run(op: BatchOp, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    if (this.#inFlight < MAX_IN_FLIGHT && this.#queue.length === 0) {
      this.#inFlight++
      const sent = runScript(this.client, op.script, keys, args)
      sent.then(this.#done, this.#done)
      return sent
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ op, keys, args, resolve, reject })
      if (this.#inFlight < MAX_IN_FLIGHT) this.#send()
    })
  }

  readonly #done = (): void => {
    this.#inFlight--
    if (this.#queue.length > 0) this.#send()
  }

  #send(): void {
    const batch = this.#queue.length <= MAX_BATCH ? this.#queue : this.#queue.slice(0, MAX_BATCH)
    this.#queue = batch === this.#queue ? [] : this.#queue.slice(MAX_BATCH)
    this.#inFlight++
    if (batch.length === 1) {
      const only = batch[0]!
      runScript(this.client, only.op.script, only.keys, only.args).then(only.resolve, only.reject).finally(this.#done)
      return
    }
    const keys: string[] = []
    const header: (string | number)[] = [batch.length]
    const args: (string | number)[] = []
    for (const q of batch) {
      header.push(q.op.code, q.keys.length, q.args.length)
      keys.push(...q.keys)
      args.push(...q.args)
    }
    runScript(this.client, batchScript, keys, header.concat(args))
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
