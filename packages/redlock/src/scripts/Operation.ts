import { defineScript, type Script } from '@org/redis-core'
import { QUEUE_INCLUDES } from './queue.js'

/**
 * One atomic lock operation on one instance. Its Lua is the body of a function of (keys, argv): run alone as a
 * script of its own, or as one call of many in a BATCH (see `batch.ts`).
 */
export interface Operation {
  /** The name of its Lua function in BATCH, and of its script. */
  readonly name: string
  /** Its one-letter code in a BATCH call. */
  readonly code: string
  /** The Lua body of `function <name>(keys, argv)` (its fast path included). */
  readonly body: string
  /** The body as a script of its own, on KEYS and ARGV. */
  readonly script: Script
}

/**
 * Makes an operation; every script of this package is defined here, once, as a module constant. `fast`, when given,
 * is Lua that runs first and returns when it can finish the operation without the queue (the uncontended path): a
 * script of its own runs it before the queue's shared pieces are even defined. `includes: false` leaves those pieces
 * out of its script altogether, for an operation that never uses them.
 */
export function defineOperation(name: string, code: string, body: string, fast = '', includes = true): Operation {
  // Alone, the body runs inline on KEYS and ARGV rather than defining and calling a function: the call costs the
  // server measurably on every operation of a one-lock-at-a-time caller. The queue's shared pieces are local
  // functions defined after the fast path (defining them costs the server on every call that reaches them).
  const script = defineScript({
    name,
    source: `local keys, argv = KEYS, ARGV${fast}${includes ? QUEUE_INCLUDES : ''}${body}`,
  })
  return Object.freeze({ name, code, body: `${fast}${body}`, script })
}
