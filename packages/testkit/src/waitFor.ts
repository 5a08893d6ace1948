/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this long (default 5000 ms). */
  timeoutMs?: number
  /** Time between two checks (default 10 ms). */
  intervalMs?: number
  /** What is awaited, for the error message. */
  what?: string
}

/**
 * Waits until `check` returns a truthy value (which it returns), checking every `intervalMs`, and throws
 * once `timeoutMs` has passed: a bounded wait on a condition instead of a sleep.
 */
export async function waitFor<T>(check: () => T | Promise<T>, options: WaitForOptions = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 5_000, intervalMs = 10, what = 'condition' } = options
  const deadline = performance.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const value = await check()
      if (value) return value as NonNullable<T>
    } catch (err) {
      lastError = err
    }
    if (performance.now() >= deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : ''
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`)
    }
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}
