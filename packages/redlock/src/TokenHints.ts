const MAX_ENTRIES = 10_000

/**
 * The highest fencing counter this process has seen per resource, used only to propose the next token so that an
 * acquire usually records its token in one round. A wrong hint costs a second round, never safety. Bounded: the
 * oldest entries are dropped first.
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
      this.#seen.delete(r)
      this.#seen.set(r, counter)
      if (this.#seen.size > MAX_ENTRIES) {
        const oldest = this.#seen.keys().next().value
        if (oldest !== undefined) this.#seen.delete(oldest)
      }
    }
  }
}
