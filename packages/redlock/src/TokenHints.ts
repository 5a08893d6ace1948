const MAX_HINTS = 5_000

/**
 * The highest fencing counter this process has seen per resource, used only to propose the next token so that an
 * acquire usually records its token in one round. A wrong or forgotten hint costs a second round, never safety.
 * Bounded by clearing the whole map when full: one lookup per resource on the hot path, no per-entry eviction, and
 * a hot resource pays one extra round at most once per MAX_HINTS distinct resources.
 */
export class TokenHints {
  readonly #seen = new Map<string, bigint>()

  /** One more than the highest counter known for any of the resources. */
  candidateFor(resources: readonly string[]): bigint {
    let top = 0n
    for (const r of resources) {
      const seen = this.#seen.get(r)
      if (seen !== undefined && seen > top) top = seen
    }
    return top + 1n
  }

  /** Remembers that the resources' counters are at least `counter`. */
  observe(resources: readonly string[], counter: bigint): void {
    for (const r of resources) {
      const seen = this.#seen.get(r)
      if (seen !== undefined && seen >= counter) continue
      if (seen === undefined && this.#seen.size >= MAX_HINTS) this.#seen.clear()
      this.#seen.set(r, counter)
    }
  }
}
