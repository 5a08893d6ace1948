/**
 * Calls and `waitForServices` waiting for a service's first live provider. The registry watch wakes them
 * (`wake()` when the list stops being empty), so a waiter costs one timer and no Redis command while it waits.
 */
export class ProviderWaiters {
  readonly #waiting = new Set<() => void>()

  /**
   * Resolves `true` once `wake()` is called, `false` when `ms` pass or `signal` aborts first. The caller checks the
   * provider list itself after it resolves.
   */
  wait(ms: number, signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false)
    return new Promise((resolve) => {
      const done = (woken: boolean) => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', aborted)
        this.#waiting.delete(woke)
        resolve(woken)
      }
      const woke = () => done(true)
      const aborted = () => done(false)
      // Infinity and huge values would overflow setTimeout's 32-bit delay into an immediate timeout.
      const timer = Number.isFinite(ms) && ms < 2 ** 31 ? setTimeout(aborted, Math.max(0, ms)) : undefined
      signal?.addEventListener('abort', aborted, { once: true })
      this.#waiting.add(woke)
    })
  }

  /** Wakes every waiter (a provider appeared, or the client is closing). */
  wake(): void {
    for (const woke of [...this.#waiting]) woke()
  }
}
