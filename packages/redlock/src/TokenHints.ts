const GENERATION_SIZE = 5_000

/**
 * The highest fencing counter this process has seen per resource, used only to propose the next token so that an
 * acquire usually records its token in one round. A wrong or forgotten hint costs a second round, never safety.
 * Bounded by two generations of maps (the older is dropped whole), which avoids per-entry eviction work.
 */
export class TokenHints {
  #current = new Map<string, bigint>()
  #previous = new Map<string, bigint>()

  /** One more than the highest counter known for any of the resources. */
  candidateFor(resources: readonly string[]): bigint {
    let top = 0n
    for (const r of resources) {
      const seen = this.#get(r)
      if (seen !== undefined && seen > top) top = seen
    }
    return top + 1n
  }

  /** Remembers that the resources' counters are at least `counter`. */
  observe(resources: readonly string[], counter: bigint): void {
    for (const r of resources) {
      const seen = this.#get(r)
      if (seen !== undefined && seen >= counter) continue
      if (this.#current.size >= GENERATION_SIZE) {
        this.#previous = this.#current
        this.#current = new Map()
      }
      this.#current.set(r, counter)
    }
  }

  #get(resource: string): bigint | undefined {
    return this.#current.get(resource) ?? this.#previous.get(resource)
  }
}
