import { runScript } from '@org/redis-core'
import { LeasedPlace } from '../LeasedPlace.js'
import { WAITER_LEASE } from '../options.js'
import { SHARE_LEAVE } from '../scripts/shareLeave.js'
import { SHARE_RENEW } from '../scripts/shareRenew.js'
import type { Waiter } from '../Waiter.js'
import type { FamilyContext } from './FamilyContext.js'
import type { ShareCall } from './ShareSpec.js'
import { seatRegistration } from './seatTally.js'

/**
 * A waiter's place in the queue of a shared hold in Redis: a `LeasedPlace` (ticket settled once, lease renewed, woken
 * when a quorum says it would be admitted) whose renewals wait for the end of an attempt, and which leaves the queues
 * however the acquire ends: a winner is taken out where it won, but an instance that refused it may still list it.
 */
export class SharePlace extends LeasedPlace {
  /** A renewal fell during an attempt: it is sent once the attempt ended. */
  #due = false
  #attempting = false

  constructor(
    private readonly family: FamilyContext,
    private readonly call: ShareCall,
    waiter: Waiter,
  ) {
    super(family, call, waiter)
  }

  /** An attempt is being sent: renewals wait for its end (one landing after a grant would queue a holder again). */
  attempting(): void {
    this.#attempting = true
  }

  /** After a failed attempt: sends a renewal that fell during it. */
  attempted(): void {
    this.#attempting = false
    if (!this.#due) return
    this.#due = false
    this.renew()
  }

  /**
   * Stops renewing, and leaves every queue it may still be in: all of them after giving up, those of the instances
   * that did not grant it after a win (a grant took it out). No renewal can land after the grant and put it back:
   * renewals are only sent between attempts (see `attempting`), so each is written before the next attempt on its
   * connection.
   */
  end(): void {
    this.stopRenewing()
    const { family, call } = this
    if (!call.queued && call.ticket === 0) return
    const args = [call.id, call.spec.channel, call.spec.permits]
    family.instances.forEach((client, i) => {
      if (call.granted?.[i]) return
      runScript(client, SHARE_LEAVE, call.spec.keys, args).catch((err: Error) => family.reportError(i, err))
    })
  }

  /** Held back while an attempt is on its way (see `attempting`). */
  protected override renew(): void {
    if (this.#attempting) {
      this.#due = true
      return
    }
    super.renew()
  }

  protected sendRenewal(i: number): Promise<unknown> {
    const { spec, id, ticket } = this.call
    const args: (string | number)[] = [spec.code, spec.permits, id, ticket, WAITER_LEASE]
    const registered = seatRegistration(this.call, this.family.inbox)
    if (registered !== undefined) args.push(registered)
    return runScript(this.family.instances[i]!, SHARE_RENEW, spec.keys, args)
  }
}
