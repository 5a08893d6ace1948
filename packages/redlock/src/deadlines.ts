import { now } from './clock.js'

interface Entry {
  readonly at: number
  readonly expire: () => void
}

const entries = new Set<Entry>()
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
  let next = Number.POSITIVE_INFINITY
  for (const e of entries) {
    if (e.at <= t) {
      entries.delete(e)
      e.expire()
    } else if (e.at < next) next = e.at
  }
  if (next !== Number.POSITIVE_INFINITY) arm(next)
}

/**
 * Calls `expire` at monotonic time `at` unless cancelled first. One shared timer serves every pending request:
 * almost all requests are answered long before their deadline, and a Node timer per request would cost more than
 * the request's own bookkeeping.
 */
export function onDeadline(at: number, expire: () => void): () => void {
  const entry: Entry = { at, expire }
  entries.add(entry)
  if (at < armedAt) arm(at)
  return () => {
    entries.delete(entry)
  }
}
