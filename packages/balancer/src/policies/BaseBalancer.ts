import { EndpointTable } from '../EndpointTable.js'
import { assertEndpoint, assertOutcome } from '../endpoints.js'
import type { Endpoint, LoadBalancer, Outcome, PickContext } from '../types.js'

/**
 * What every built-in policy shares: the endpoint table, the empty/all-zero shortcut, and no-op request
 * tracking (that still checks its input). A policy only says which index of the current list to take.
 */
export abstract class BaseBalancer<S> implements LoadBalancer<Endpoint> {
  abstract readonly policy: string
  protected readonly table: EndpointTable<S>

  constructor(createState: (id: string) => S, isBusy?: (state: S) => boolean) {
    this.table = new EndpointTable(createState, isBusy)
  }

  pick(endpoints: readonly Endpoint[], ctx?: PickContext): Endpoint | undefined {
    const exclude = ctx?.exclude
    // An array here would be silently ignored (it has no `size`), so say so rather than route to an excluded id.
    if (exclude !== undefined && typeof exclude.has !== 'function') {
      throw new TypeError('ctx.exclude must be a Set (or ReadonlySet) of endpoint ids')
    }
    const table = this.table
    table.sync(endpoints)
    if (table.positive === 0) return undefined
    const index = this.choose(ctx)
    return index < 0 ? undefined : endpoints[index]
  }

  onStart(endpoint: Endpoint): void {
    assertEndpoint(endpoint, 'onStart')
  }

  onEnd(endpoint: Endpoint, outcome: Outcome): void {
    assertEndpoint(endpoint, 'onEnd')
    assertOutcome(outcome)
  }

  /** Index in the table of the endpoint to take, or -1 when every endpoint is excluded. */
  protected abstract choose(ctx: PickContext | undefined): number
}
