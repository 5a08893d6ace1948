/** Settings of the per-provider circuit breaker. */
export interface BreakerOptions {
  /** Consecutive failures that open the breaker. Default 5. */
  failureThreshold?: number
  /** Time an open breaker waits before letting one trial call through (half-open). Default 5,000 ms. */
  cooldownMs?: number
}

/** `closed`: calls pass; `open`: none pass; `half-open`: one trial call decides. */
export type BreakerState = 'closed' | 'open' | 'half-open'

/**
 * Keeps calls away from a provider that keeps failing, so they go to healthy ones instead of waiting for timeouts.
 * Time is monotonic (`performance.now()`), so a wall-clock jump cannot reopen or close it.
 */
export class CircuitBreaker {
  #state: BreakerState = 'closed'
  #failures = 0
  #openedAt = 0
  #probing = false
  readonly #threshold: number
  readonly #cooldownMs: number
  readonly #onChange: (state: BreakerState, previous: BreakerState) => void

  constructor(
    options: Required<BreakerOptions>,
    onChange: (state: BreakerState, previous: BreakerState) => void = () => {},
  ) {
    this.#threshold = options.failureThreshold
    this.#cooldownMs = options.cooldownMs
    this.#onChange = onChange
  }

  /** The current state; an open breaker whose cool-down has passed reads as half-open. */
  get state(): BreakerState {
    if (this.#state === 'open' && performance.now() - this.#openedAt >= this.#cooldownMs) this.#set('half-open')
    return this.#state
  }

  /** Whether a new call may go to this provider now (half-open lets only one trial at a time). */
  canPass(): boolean {
    const state = this.state
    return state === 'closed' || (state === 'half-open' && !this.#probing)
  }

  /** A call to this provider begins; in half-open state it becomes the trial. */
  onStart(): void {
    if (this.state === 'half-open') this.#probing = true
  }

  /** The provider answered. */
  onSuccess(): void {
    this.#failures = 0
    this.#probing = false
    if (this.#state !== 'closed') this.#set('closed')
  }

  /** The provider failed (timeout, transport error); a failed trial reopens at once. */
  onFailure(): void {
    this.#failures++
    const wasProbe = this.#probing
    this.#probing = false
    if (wasProbe || (this.#state === 'closed' && this.#failures >= this.#threshold)) {
      this.#openedAt = performance.now()
      this.#set('open')
    }
  }

  #set(state: BreakerState): void {
    const previous = this.#state
    if (state === previous) return
    this.#state = state
    this.#onChange(state, previous)
  }
}
