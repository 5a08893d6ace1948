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

  /** Wakes every waiter so it checks its condition again (something else it depends on changed). */
  interrupt(): void {
    this.#wake()
  }

  /** Resolves once `ready()` holds, checked now and whenever a slot is released or `interrupt()` is called. */
  until(ready: () => boolean): Promise<void> {
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
    if (this.#waiters.length === 0) return
    const waiters = this.#waiters
    this.#waiters = []
    for (const w of waiters) w()
  }
}
