/**
 * A deterministic discrete-event simulation of one client fleet calling 10 endpoints through a balancer.
 * Requests arrive as a Poisson stream; each endpoint serves `WORKERS` requests at a time (exponential service
 * times) and queues the rest, so an endpoint that gets more than it can take builds up a queue, as a real one
 * would. One endpoint is 10x slower, from the start or from half-way. Time is virtual: the same seed gives the
 * same table on any machine.
 */
import { createBalancer, type Endpoint, type LoadBalancer, seededRandom } from '@org/balancer'

const ENDPOINTS = 10
const WORKERS = 4
const FAST_MS = 10
const SLOW_FACTOR = 10
const ARRIVALS_PER_S = 300
const REQUESTS = 60_000
const KEYS = 10_000

export interface Scenario {
  name: string
  /** Mean service time of endpoint `index` at virtual time `now` (ms). */
  meanServiceMs(index: number, now: number, endMs: number): number
}

export const SCENARIOS: Scenario[] = [
  { name: 'one endpoint 10x slower', meanServiceMs: (i) => (i === ENDPOINTS - 1 ? FAST_MS * SLOW_FACTOR : FAST_MS) },
  {
    name: 'one endpoint turns 10x slower half-way',
    meanServiceMs: (i, now, endMs) => (i === ENDPOINTS - 1 && now >= endMs / 2 ? FAST_MS * SLOW_FACTOR : FAST_MS),
  },
]

export interface SimulationResult {
  policy: string
  scenario: string
  p50: number
  p99: number
  p999: number
  /** Share of the requests that went to the slow endpoint. */
  slowShare: number
}

interface Request {
  arrivedAt: number
  endpoint: number
  key: string
}

/** A binary min-heap of events by time; ties keep insertion order so runs are reproducible. */
class EventQueue<T> {
  private readonly times: number[] = []
  private readonly seqs: number[] = []
  private readonly items: T[] = []
  private seq = 0

  get size(): number {
    return this.items.length
  }

  push(time: number, item: T): void {
    this.times.push(time)
    this.seqs.push(this.seq++)
    this.items.push(item)
    let i = this.items.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.before(i, parent)) break
      this.swap(i, parent)
      i = parent
    }
  }

  /** Removes the earliest event; returns its time and item. */
  pop(): [number, T] {
    const top: [number, T] = [this.times[0]!, this.items[0]!]
    const last = this.items.length - 1
    this.swap(0, last)
    this.times.pop()
    this.seqs.pop()
    this.items.pop()
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      const right = left + 1
      let smallest = i
      if (left < last && this.before(left, smallest)) smallest = left
      if (right < last && this.before(right, smallest)) smallest = right
      if (smallest === i) break
      this.swap(i, smallest)
      i = smallest
    }
    return top
  }

  private before(a: number, b: number): boolean {
    const ta = this.times[a]!
    const tb = this.times[b]!
    return ta < tb || (ta === tb && this.seqs[a]! < this.seqs[b]!)
  }

  private swap(a: number, b: number): void {
    ;[this.times[a], this.times[b]] = [this.times[b]!, this.times[a]!]
    ;[this.seqs[a], this.seqs[b]] = [this.seqs[b]!, this.seqs[a]!]
    ;[this.items[a], this.items[b]] = [this.items[b]!, this.items[a]!]
  }
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

/** Runs one policy through one scenario; `seed` fixes arrivals, service times, keys and the policy's choices. */
export function simulate(policy: string, scenario: Scenario, seed = 42): SimulationResult {
  const random = seededRandom(seed)
  let now = 0
  const clock = () => now
  const options: Record<string, unknown> = { random: seededRandom(seed + 1) }
  if (policy === 'P2C' || policy === 'ShortestResponse') options.now = clock
  const lb: LoadBalancer = createBalancer(policy, policy === 'RoundRobin' ? {} : options)
  const endpoints: Endpoint[] = Array.from({ length: ENDPOINTS }, (_, i) => ({ id: `endpoint-${i}` }))
  const index = new Map(endpoints.map((e, i) => [e.id, i]))
  const busy = new Array<number>(ENDPOINTS).fill(0)
  const queues: Request[][] = Array.from({ length: ENDPOINTS }, () => [])
  const endMs = (REQUESTS / ARRIVALS_PER_S) * 1000
  const latencies = new Float64Array(REQUESTS)
  let done = 0
  let toSlow = 0

  type Event = { kind: 'arrival' } | { kind: 'done'; request: Request }
  const events = new EventQueue<Event>()
  const exponential = (mean: number) => -mean * Math.log(1 - random())
  const serve = (request: Request) => {
    busy[request.endpoint]!++
    const service = exponential(scenario.meanServiceMs(request.endpoint, now, endMs))
    events.push(now + service, { kind: 'done', request })
  }

  let arrivals = 0
  events.push(0, { kind: 'arrival' })
  while (events.size > 0) {
    const [time, event] = events.pop()
    now = time
    if (event.kind === 'arrival') {
      arrivals++
      if (arrivals < REQUESTS) events.push(now + exponential(1000 / ARRIVALS_PER_S), { kind: 'arrival' })
      const key = `user-${Math.floor(random() * KEYS)}`
      const chosen = lb.pick(endpoints, { key })!
      lb.onStart(chosen)
      const request: Request = { arrivedAt: now, endpoint: index.get(chosen.id)!, key }
      if (request.endpoint === ENDPOINTS - 1) toSlow++
      if (busy[request.endpoint]! < WORKERS) serve(request)
      else queues[request.endpoint]!.push(request)
    } else {
      const { request } = event
      const latencyMs = now - request.arrivedAt
      latencies[done++] = latencyMs
      lb.onEnd(endpoints[request.endpoint]!, { latencyMs, ok: true })
      busy[request.endpoint]!--
      const next = queues[request.endpoint]!.shift()
      if (next !== undefined) serve(next)
    }
  }
  const sorted = latencies.slice(0, done).sort()
  return {
    policy,
    scenario: scenario.name,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    p999: percentile(sorted, 0.999),
    slowShare: toSlow / REQUESTS,
  }
}

/** The parameters, for the table's caption. */
export const SIMULATION_SETUP = `${ENDPOINTS} endpoints x ${WORKERS} workers, exponential service times of mean ${FAST_MS} ms (slow one: ${FAST_MS * SLOW_FACTOR} ms), Poisson arrivals at ${ARRIVALS_PER_S}/s, ${REQUESTS.toLocaleString('en-US')} requests, seed 42`
