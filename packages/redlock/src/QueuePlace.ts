import type { AttemptCall } from './attempt.js'
import type { RedlockContext } from './context.js'
import { registration } from './directGrant.js'
import { LeasedPlace } from './LeasedPlace.js'
import { WAITER_LEASE } from './options.js'
import type { Waiter } from './Waiter.js'

/**
 * A waiter's place in the common queue in Redis: a `LeasedPlace` (ticket settled once, lease renewed, woken when a
 * quorum says it is its turn: a key handed to it whose announcement it missed, or a lock that expired with it first in
 * line). A waiter that gives up leaves the queues at once; one that wins stops renewing, and its release takes it out.
 */
export class QueuePlace extends LeasedPlace {
  constructor(
    private readonly ctx: RedlockContext,
    private readonly call: AttemptCall,
    waiter: Waiter,
  ) {
    super(ctx, call, waiter)
  }

  /** Stops renewing; a waiter that gives up (not `won`) leaves every queue it may be in. */
  end(won: boolean): void {
    this.stopRenewing()
    const { ctx, call } = this
    if (won || call.lease === 0 || call.tries === 0) return
    ctx.instances.forEach((instance, i) => {
      instance.leave(call.resources, call.id).catch((err: Error) => ctx.reportError(i, err))
    })
  }

  protected sendRenewal(i: number): Promise<unknown> {
    const { resources, id, ticket, grant } = this.call
    return this.ctx.instances[i]!.renew(resources, id, ticket, WAITER_LEASE, registration(grant, this.ctx.inbox))
  }
}
