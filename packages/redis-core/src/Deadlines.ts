/** Something that expires: linked into the list of its timeout length while it waits. */
export interface Timed {
  /** On `performance.now()`'s clock. */
  readonly deadline: number
  /** @internal links of its list */
  prev: Timed | undefined
  /** @internal */
  next: Timed | undefined
  /** @internal */
  list: DeadlineList | undefined
}

/** Items of one timeout length: added in deadline order, so only the head can be due. */
interface DeadlineList {
  readonly timeoutMs: number
  head: Timed | undefined
  tail: Timed | undefined
  /** Armed for the head's deadline (or earlier); may outlive the last item until it fires. */
  timer: NodeJS.Timeout | undefined
}

/** Options of {@link Deadlines}. */
export interface DeadlinesOptions {
  /**
   * When true, the timers do not keep the process alive: for callers whose pending items wait on I/O that keeps it
   * alive anyway (a request in flight on a socket). A list left without items then never delays the exit either.
   * Default false: a pending item keeps the process alive, as its own timer would.
   */
  readonly unref?: boolean
}

/** A timer firing this close to a deadline expires it rather than waiting again for less than Node's resolution. */
const SLACK_MS = 1

/**
 * Expires items at their deadlines with one timer per timeout length, as Node does inside `setTimeout`, but without a
 * Timeout object, its async bookkeeping and a timer-list insertion per call: a lone caller otherwise creates and
 * destroys a timer for every call. A pending item keeps the process alive, as its own timer would.
 *
 * A timer left without items stays armed until it fires, rather than being unreferenced at every removal and
 * referenced again at the next add: for a lone caller those two native calls came with every call. So an idle list
 * keeps the process alive for at most its timeout; `clear()` ends that at once (or never does, with `unref`).
 */
export class Deadlines<T extends Timed> {
  readonly #lists = new Map<number, DeadlineList>()
  readonly #onExpire: (item: T) => void
  readonly #unref: boolean

  constructor(onExpire: (item: T) => void, options: DeadlinesOptions = {}) {
    this.#onExpire = onExpire
    this.#unref = options.unref === true
  }

  /** Starts waiting for `item`, whose deadline must be `timeoutMs` from now. */
  add(item: T, timeoutMs: number): void {
    let list = this.#lists.get(timeoutMs)
    if (!list) {
      list = { timeoutMs, head: undefined, tail: undefined, timer: undefined }
      this.#lists.set(timeoutMs, list)
    }
    item.list = list
    item.prev = list.tail
    item.next = undefined
    if (list.tail) list.tail.next = item
    else {
      list.head = item
      if (!list.timer) this.#arm(list, timeoutMs)
    }
    list.tail = item
  }

  /** Stops waiting for `item` (settled some other way); does nothing when it is not waiting. */
  remove(item: T): void {
    const list = item.list
    if (!list) return
    // The timer stays armed, so the next item needs none of its own.
    this.#unlink(list, item)
  }

  /** Disarms every timer; items still waiting are forgotten (their owner settles them itself). */
  clear(): void {
    for (const list of this.#lists.values()) {
      clearTimeout(list.timer)
      while (list.head) this.#unlink(list, list.head)
    }
    this.#lists.clear()
  }

  #unlink(list: DeadlineList, item: Timed): void {
    if (item.prev) item.prev.next = item.next
    else list.head = item.next
    if (item.next) item.next.prev = item.prev
    else list.tail = item.prev
    item.prev = undefined
    item.next = undefined
    item.list = undefined
  }

  #arm(list: DeadlineList, waitMs: number): void {
    list.timer = setTimeout(() => this.#fire(list), Math.max(1, Math.ceil(waitMs)))
    if (this.#unref) list.timer.unref()
  }

  #fire(list: DeadlineList): void {
    list.timer = undefined
    const now = performance.now()
    let head = list.head
    while (head && head.deadline - now < SLACK_MS) {
      this.#unlink(list, head)
      this.#onExpire(head as T)
      head = list.head
    }
    // Expiring may have added items (a caller retrying at once): the list decides again from its head.
    if (list.head) {
      if (!list.timer) this.#arm(list, list.head.deadline - performance.now())
    } else if (!list.timer) {
      this.#lists.delete(list.timeoutMs)
    }
  }
}
