import type { AbortLater } from './AbortLater.js'
import type { HandlerContext } from './types.js'

/** A handler's context; a class, so the lazy `signal` getter lives on the prototype and each call allocates little. */
export class CallContext implements HandlerContext {
  readonly requestId: string
  readonly deadline: number
  readonly attempt: number
  readonly metadata: Readonly<Record<string, unknown>>
  readonly method: string
  readonly #abort: AbortLater

  constructor(
    requestId: string,
    deadline: number,
    attempt: number,
    metadata: Record<string, unknown>,
    method: string,
    abort: AbortLater,
  ) {
    this.requestId = requestId
    this.deadline = deadline
    this.attempt = attempt
    this.metadata = metadata
    this.method = method
    this.#abort = abort
  }

  get signal(): AbortSignal {
    return this.#abort.signal
  }
}
