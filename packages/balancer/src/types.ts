/** One place a request can go: a server, a worker, a shard. */
export interface Endpoint {
  /** Unique within one list; per-endpoint state (in-flight, latency) is kept by this id. */
  id: string
  /** Relative capacity, default 100. 0 means "never pick"; negative or non-finite is rejected. */
  weight?: number
  /** Free-form data for the caller (address, zone...); never read by the built-in policies. */
  metadata?: Record<string, unknown>
}

/** What `pick` may be told about the request being routed. */
export interface PickContext {
  /** Affinity key (user id, session, cache key): used by `ConsistentHash`, ignored by the others. */
  key?: string
  /** Ids never to return, e.g. the endpoints a retry already tried. */
  exclude?: ReadonlySet<string>
}

/** How a request ended, reported through `onEnd`. */
export interface Outcome {
  /** Time from `onStart` to the end, in milliseconds (finite, >= 0). */
  latencyMs: number
  /** `false` when the request failed: latency-aware policies count a failure as slow. */
  ok: boolean
}

/** A load-balancing policy instance: keeps its own per-endpoint state, so use one per service. */
export interface LoadBalancer<E extends Endpoint = Endpoint> {
  /** The policy's canonical name, e.g. `'RoundRobin'`. */
  readonly policy: string
  /** Chooses one endpoint of `endpoints`, or `undefined` when none is eligible (empty, all excluded or weight 0). */
  pick(endpoints: readonly E[], ctx?: PickContext): E | undefined
  /** Tells the policy that a request to `endpoint` begins. */
  onStart(endpoint: E): void
  /** Tells the policy that a request to `endpoint` ended, how fast and whether it succeeded. */
  onEnd(endpoint: E, outcome: Outcome): void
}

/** A source of uniform numbers in [0, 1), like `Math.random`; pass `seededRandom(n)` for reproducible runs. */
export type RandomSource = () => number

/** A monotonic clock in milliseconds, like `performance.now`; pass a virtual one for simulations. */
export type Clock = () => number
