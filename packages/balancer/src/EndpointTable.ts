import { endpointId, endpointWeight } from './endpoints.js'
import { InvalidEndpointError } from './errors.js'
import type { Endpoint } from './types.js'

/**
 * The last endpoint list a balancer saw, validated once and laid out for fast picks, plus per-endpoint state
 * kept by id so that it survives the list being rebuilt (new array, added or removed endpoints).
 *
 * The same array with the same length is trusted as is, so a pick costs no validation; another array is
 * compared element by element, and validation, weights and state lookups happen again only when an element
 * or the length changed. So endpoints are treated as immutable: to change the list or a weight, pass a new
 * array (or grow/shrink the same one); replacing an element in place, at the same length, is not noticed.
 */
export class EndpointTable<S> {
  /** The endpoints of the current list, in order (a copy, so later changes to the caller's array are seen). */
  items: Endpoint[] = []
  /** `ids[i]` is `items[i].id`. */
  ids: string[] = []
  /** `weights[i]` is the validated weight of `items[i]`. */
  weights: Float64Array = new Float64Array(0)
  /** `inverseWeights[i]` is `1 / weights[i]` (0 for weight 0): scores multiply by it rather than divide. */
  inverseWeights: Float64Array = new Float64Array(0)
  /** `cumulative[i]` is the sum of `weights[0..i]`, for weighted draws by binary search. */
  cumulative: Float64Array = new Float64Array(0)
  /** `states[i]` is the state of `items[i]`. */
  states: S[] = []
  /** Sum of all weights. */
  totalWeight = 0
  /** Number of endpoints whose weight is > 0. */
  positive = 0
  /** True when every endpoint of weight > 0 has the same weight, so weights need not enter comparisons. */
  uniform = true
  /** Grows by one whenever the ids or weights of the list change (not when the same list comes in a new array). */
  generation = 0
  /** Scratch space of `items.length` slots for policies that collect candidates (reused, never reallocated per pick). */
  scratch: Int32Array = new Int32Array(0)

  private readonly byId = new Map<string, S>()
  /** The array last given to `sync`, trusted as is while its length does not change. */
  private list: readonly Endpoint[] | undefined

  /**
   * @param createState makes the state of an endpoint seen for the first time.
   * @param isBusy says whether a state must be kept although its endpoint left the list (e.g. requests in flight).
   */
  constructor(
    private readonly createState: (id: string) => S,
    private readonly isBusy: (state: S) => boolean = () => false,
  ) {}

  /** Brings the table up to date with `endpoints`; cheap when the elements did not change. */
  sync(endpoints: readonly Endpoint[]): void {
    if (endpoints === this.list && endpoints.length === this.items.length) return
    const items = this.items
    const n = items.length
    if (endpoints.length === n) {
      let i = 0
      while (i < n && endpoints[i] === items[i]) i++
      if (i === n) {
        this.list = endpoints
        return
      }
    }
    this.rebuild(endpoints)
  }

  /** The state of the endpoint with this id, created when first seen (e.g. `onStart` before any `pick`). */
  stateOf(id: string): S {
    let state = this.byId.get(id)
    if (state === undefined) {
      state = this.createState(id)
      this.byId.set(id, state)
    }
    return state
  }

  /** Every state kept, including those of endpoints that left the list but are not forgotten yet. */
  allStates(): IterableIterator<S> {
    return this.byId.values()
  }

  private rebuild(endpoints: readonly Endpoint[]): void {
    if (!Array.isArray(endpoints)) throw new TypeError(`endpoints must be an array, got ${typeof endpoints}`)
    const n = endpoints.length
    const ids: string[] = new Array(n)
    const weights = new Float64Array(n)
    const cumulative = new Float64Array(n)
    const inverseWeights = new Float64Array(n)
    const seen = new Set<string>()
    let total = 0
    let positive = 0
    let first = -1
    let uniform = true
    for (let i = 0; i < n; i++) {
      const endpoint = endpoints[i] as Endpoint
      const id = endpointId(endpoint, i)
      if (seen.has(id)) throw new InvalidEndpointError(i, `duplicate id '${id}'`)
      seen.add(id)
      const weight = endpointWeight(endpoint, i)
      ids[i] = id
      weights[i] = weight
      total += weight
      cumulative[i] = total
      if (weight > 0) {
        inverseWeights[i] = 1 / weight
        positive++
        if (first < 0) first = weight
        else if (weight !== first) uniform = false
      }
    }
    // Everything is validated: only now replace the previous layout, so a bad list leaves the table usable.
    if (!sameLayout(this.ids, this.weights, ids, weights)) this.generation++
    this.list = endpoints
    this.items = endpoints.slice()
    this.ids = ids
    this.weights = weights
    this.cumulative = cumulative
    this.inverseWeights = inverseWeights
    this.totalWeight = total
    this.positive = positive
    this.uniform = uniform
    if (this.scratch.length < n) this.scratch = new Int32Array(n)
    this.states = ids.map((id) => this.stateOf(id))
    this.prune(seen)
  }

  /** Forgets endpoints that left long ago, so a churning fleet does not grow memory without bound. */
  private prune(current: ReadonlySet<string>): void {
    if (this.byId.size <= 2 * current.size + 64) return
    for (const [id, state] of this.byId) {
      if (!current.has(id) && !this.isBusy(state)) this.byId.delete(id)
    }
  }
}

function sameLayout(ids: string[], weights: Float64Array, nextIds: string[], nextWeights: Float64Array): boolean {
  if (ids.length !== nextIds.length) return false
  for (let i = 0; i < ids.length; i++) if (ids[i] !== nextIds[i] || weights[i] !== nextWeights[i]) return false
  return true
}
