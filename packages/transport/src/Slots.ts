/** Counts running handlers against `concurrency`, so a provider reads only as many requests as it can start. */
export class Slots {
  readonly capacity: number
  #used = 0
  #waiters: (() => void)[] = []

  constructor(capacity: number) {
    this.capacity = capacity
  }

  /** Slots not in use. */
  get free(): number {
    return this.capacity - this.#used
  }

  /** Slots in use. */
  get used(): number {
    return this.#used
  }

  /** Takes one slot; callers take only what `free` allows. */
  take(): void {
    this.#used++
  }

  /** Gives one back and wakes whoever waits for a free slot or for idleness. */
  release(): void {
    this.#used--
    this.#wake()
  }

  /** Resolves once a slot is free (at once when one is). */
  whenFree(): Promise<void> {
    return this.#until(() => this.free > 0)
  }

  /** Resolves once nothing runs. */
  whenIdle(): Promise<void> {
    return this.#until(() => this.#used === 0)
  }

  /** Wakes every waiter so it can look at other conditions (e.g. a stop). */
  interrupt(): void {
    this.#wake()
  }

  #until(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve()
    return new Promise((resolve) => {
      const check = () => {
        if (ready()) resolve()
        else this.#waiters.push(check)
      }
      this.#waiters.push(check)
    })
  }

  #wake(): void {
    const waiters = this.#waiters
    this.#waiters = []
    for (const w of waiters) w()
  }
}
