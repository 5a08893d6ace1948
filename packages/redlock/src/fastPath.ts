import { now } from './clock.js'

/** How long a resource seen contended keeps its operations on the full scripts (ms). */
const CONTENDED_FOR = 2_000

/** More resources than this seen contended at once: forget them all (the map must not grow without bound). */
const MAX_REMEMBERED = 4_096

/**
 * The uncontended fast path: the one speed trick of the lock's Redis side. While this process has not seen a
 * one-resource lock contended lately, its first attempt and its release send the shape they had before the queue
 * (`scripts/fastAcquire.ts`: lock key, fencing counter, queue; value, ttl. `scripts/fastRelease.ts`: lock key, queue;
 * value) instead of the full scripts (5 keys and 4 arguments; 4 keys and 2 arguments). An instance where the queue
 * exists or the key is held answers a sentinel having done nothing, and the round sends it the full script (see
 * `RoundRule.again`): the same quorum and validity rules, no extra round trip when uncontended, one more on that
 * instance when contended. Measured on L1 (uncontended pairs in one process, interleaved A/B): see the README's
 * findings.
 *
 * What counts as contended: a fast request answered with the sentinel, or an attempt refused because another holder
 * held the resource. Both are remembered per resource for {@link CONTENDED_FOR} ms.
 */
export class Contention {
  readonly #seen = new Map<string, number>()

  /** Whether an operation on `resources` may take the fast path. */
  fastFor(resources: readonly string[]): boolean {
    if (resources.length !== 1) return false
    if (this.#seen.size === 0) return true
    const r = resources[0]!
    const at = this.#seen.get(r)
    if (at === undefined) return true
    if (now() - at < CONTENDED_FOR) return false
    this.#seen.delete(r)
    return true
  }

  /** Remembers that `resources` were found contended. */
  saw(resources: readonly string[]): void {
    if (this.#seen.size >= MAX_REMEMBERED) this.#seen.clear()
    const at = now()
    for (const r of resources) this.#seen.set(r, at)
  }
}
