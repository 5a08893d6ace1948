/**
 * Waits for the next event-loop turn, or less when cut short. A reader waits for it before issuing its next blocking
 * read, so the replies and requests its last batch produced (written from microtasks) leave first; when one of those
 * writes carries the read itself, the wait is cut, sparing the process a pass through the event loop just after the
 * write that matters (on a small machine, that CPU is what the peer being woken needs).
 */
export class Turn {
  #immediate: NodeJS.Immediate | undefined
  #resolve: (() => void) | undefined

  wait(): Promise<void> {
    return new Promise((resolve) => {
      this.#resolve = resolve
      this.#immediate = setImmediate(() => this.cut())
    })
  }

  /** Ends the current wait now, if there is one. */
  cut(): void {
    const resolve = this.#resolve
    if (!resolve) return
    clearImmediate(this.#immediate)
    this.#immediate = undefined
    this.#resolve = undefined
    resolve()
  }
}
