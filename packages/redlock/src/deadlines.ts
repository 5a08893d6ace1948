import { now } from './clock.js'

/**
 * A pending deadline in the shared list. Cancelling unlinks it at once (O(1)), so the deadlines of answered requests
 * die young instead of surviving until the next sweep, which would promote them and make garbage collection the
 * largest cost of the hot path.
 */
export class Deadline {
  prev: Deadline | undefined
  next: Deadline | undefined
  #live = true

  constructor(
    readonly at: number,
    private readonly expire: () => void,
  ) {}

  /** The request was answered in time. */
  cancel(): void {
    if (!this.#live) return
    this.#live = false
    unlink(this)
  }

  /** Runs the expiry once, unless cancelled. */
  fire(): void {
    if (!this.#live) return
    this.#live = false
    unlink(this)
    this.expire()
  }
}

let head: Deadline | undefined
let tail: Deadline | undefined
let timer: ReturnType<typeof setTimeout> | undefined
let armedAt = Number.POSITIVE_INFINITY

function unlink(d: Deadline): void {
  if (d.prev) d.prev.next = d.next
  else head = d.next
  if (d.next) d.next.prev = d.prev
  else tail = d.prev
  d.prev = undefined
  d.next = undefined
}

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
  const due: Deadline[] = []
  let next = Number.POSITIVE_INFINITY
  for (let d = head; d; d = d.next) {
    if (d.at <= t) due.push(d)
    else if (d.at < next) next = d.at
  }
  if (next < armedAt) arm(next)
  // Fired after the walk: an expiry may add deadlines (they arm the timer themselves).
  for (const d of due) d.fire()
}

/**
 * Calls `expire` at monotonic time `at` unless cancelled first. One shared timer serves every pending request:
 * almost all requests are answered long before their deadline, and a Node timer per request would cost more than
 * the request's own bookkeeping.
 */
export function onDeadline(at: number, expire: () => void): Deadline {
  const d = new Deadline(at, expire)
  d.prev = tail
  if (tail) tail.next = d
  else head = d
  tail = d
  if (at < armedAt) arm(at)
  return d
}
