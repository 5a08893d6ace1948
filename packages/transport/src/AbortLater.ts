import { TimeoutError } from './errors.js'

/**
 * A handler's AbortSignal, made only if the handler looks at it: most handlers never do, and a controller plus a
 * deadline timer per request is measurable at tens of thousands of calls per second.
 */
export class AbortLater {
  readonly #deadline: number
  #controller: AbortController | undefined
  #timer: NodeJS.Timeout | undefined
  #reason: Error | undefined

  /** `deadline` on the `performance.now()` clock. */
  constructor(deadline: number) {
    this.#deadline = deadline
  }

  /** The signal; aborts at the deadline, or at once if `abort()` came first. */
  get signal(): AbortSignal {
    if (!this.#controller) {
      const controller = new AbortController()
      this.#controller = controller
      if (this.#reason) controller.abort(this.#reason)
      else {
        const wait = Math.max(0, this.#deadline - performance.now())
        this.#timer = setTimeout(() => controller.abort(new TimeoutError('the deadline passed')), wait)
      }
    }
    return this.#controller.signal
  }

  /** Aborts now, or marks the signal to be born aborted. */
  abort(reason: Error): void {
    if (this.#controller) this.#controller.abort(reason)
    else this.#reason ??= reason
    clearTimeout(this.#timer)
  }

  /** The handler is done: its deadline timer must not keep the process alive. */
  done(): void {
    clearTimeout(this.#timer)
  }
}
