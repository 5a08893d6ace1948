import { now } from './clock.js'

/** A pending deadline; `cancel()` is a flag write, so the common case (answered in time) costs next to nothing. */
export class Deadline {
  #live = true

  constructor(
    readonly at: number,
    private readonly expire: () => void,
  ) {}

  /** The request was answered in time. */
  cancel(): void {
    this.#live = false
  }

  get live(): boolean {
    return this.#live
  }

  /** Runs the expiry once, unless cancelled. */
  fire(): void {
    if (!this.#live) return
    this.#live = false
    this.expire()
  }
}

let entries: Deadline[] = []
let timer: ReturnType<typeof setTimeout> | undefined
let armedAt = Number.POSITIVE_INFINITY

function arm(at: number): void {
  clearTimeout(timer)
  armedAt = at
  timer = setTimeout(sweep, Math.max(0, at - now()))
  // Pending requests keep their sockets, and so the process, alive; this timer alone must not.
  timer.unref()
}

function sweep(): void {
  timer = undefined
  armedAt = Number.POSITIVE_INFINITY
  const t = now()
  const due = entries
  // Expiries may add deadlines: they go to the fresh list, next to the ones kept.
  entries = []
  let next = Number.POSITIVE_INFINITY
  for (const e of due) {
    if (!e.live) continue
    if (e.at <= t) e.fire()
    else {
      entries.push(e)
      if (e.at < next) next = e.at
    }
  }
  if (next < armedAt) arm(next)
}

/**
 * Calls `expire` at monotonic time `at` unless cancelled first. One shared timer serves every pending request, and
 * cancelled deadlines are only dropped when it fires: almost all requests are answered long before their deadline,
 * and a Node timer (or a set removal) per request would cost more than the request's own bookkeeping. Memory is
 * bounded by the request rate times the longest timeout.
 */
export function onDeadline(at: number, expire: () => void): Deadline {
  const entry = new Deadline(at, expire)
  entries.push(entry)
  if (at < armedAt) arm(at)
  return entry
}
