import type { Endpoint, LoadBalancer, Outcome, PickContext } from '../src/index.js'

/** `n` endpoints named e0, e1, ... with the given weights (default weight when omitted). */
export function makeEndpoints(n: number, weights?: readonly number[]): Endpoint[] {
  return Array.from({ length: n }, (_, i) => {
    const weight = weights?.[i]
    return weight === undefined ? { id: `e${i}` } : { id: `e${i}`, weight }
  })
}

/** How many times each id is picked in `picks` picks (requests end at once, so in-flight stays 0). */
export function countPicks(
  lb: LoadBalancer,
  endpoints: readonly Endpoint[],
  picks: number,
  ctx?: PickContext,
): Map<string, number> {
  const counts = new Map<string, number>()
  for (let i = 0; i < picks; i++) {
    const chosen = lb.pick(endpoints, ctx)
    if (chosen === undefined) throw new Error('pick returned undefined')
    counts.set(chosen.id, (counts.get(chosen.id) ?? 0) + 1)
  }
  return counts
}

/** A virtual clock for the latency-aware policies: time moves only when a test says so. */
export function virtualClock(): { now: () => number; advance: (ms: number) => void } {
  let time = 0
  return {
    now: () => time,
    advance: (ms: number) => {
      time += ms
    },
  }
}

/**
 * Runs `rounds` requests through `lb`, one per virtual millisecond; each stays in flight for the next `depth`
 * picks, then ends with the outcome `outcomeOf` gives its endpoint. Returns how many each endpoint got.
 */
export function serve(
  lb: LoadBalancer,
  endpoints: readonly Endpoint[],
  rounds: number,
  outcomeOf: (endpoint: Endpoint) => number | Outcome,
  clock?: { advance: (ms: number) => void },
  depth = 0,
): Map<string, number> {
  const counts = new Map<string, number>()
  const inflight: Endpoint[] = []
  const finish = (endpoint: Endpoint) => {
    const outcome = outcomeOf(endpoint)
    lb.onEnd(endpoint, typeof outcome === 'number' ? { latencyMs: outcome, ok: true } : outcome)
  }
  for (let i = 0; i < rounds; i++) {
    const chosen = lb.pick(endpoints)
    if (chosen === undefined) throw new Error('pick returned undefined')
    counts.set(chosen.id, (counts.get(chosen.id) ?? 0) + 1)
    lb.onStart(chosen)
    inflight.push(chosen)
    clock?.advance(1)
    if (inflight.length > depth) finish(inflight.shift()!)
  }
  for (const endpoint of inflight) finish(endpoint)
  return counts
}
