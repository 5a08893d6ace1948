import { runScript } from '@org/redis-core'
import { gather, quorumOk, type RoundRule, tally } from '../gather.js'
import { parseDone } from '../Instance.js'
import { RENEW_EVERY, WAITER_LEASE } from '../options.js'
import { SHARE_LEAVE } from '../scripts/shareLeave.js'
import { SHARE_RENEW } from '../scripts/shareRenew.js'
import type { Waiter } from '../Waiter.js'
import type { FamilyContext } from './FamilyContext.js'
import type { ShareCall } from './ShareSpec.js'

/** Decided once a quorum answered without error, or can no longer: the replies say whether it would be admitted. */
const RENEW_PLACE: RoundRule<boolean> = { parse: parseDone, decided: quorumOk }

/**
 * A waiter's place in the queue of a shared hold in Redis, as `QueuePlace.ts` keeps one for the plain lock: its
 * ticket is the highest counter a refusal gave it, settled on every instance at once; its lease is renewed every
 * `RENEW_EVERY` ms while it waits (a waiter that dies or pauses loses its place within `WAITER_LEASE`); when a quorum
 * says it would be admitted (a holder expired, say), it is woken. However the acquire ends, it leaves the queues: a
 * winner is taken out where it won, but an instance that refused it may still list it.
 */
export class SharePlace {
  #timer: ReturnType<typeof setInterval> | undefined
  /** A renewal fell during an attempt: it is sent once the attempt ended. */
  #due = false
  #attempting = false

  constructor(
    private readonly family: FamilyContext,
    private readonly call: ShareCall,
    private readonly waiter: Waiter,
  ) {}

  /** Settles the ticket (the highest counter a refusal gave) and starts renewing; once. */
  join(counter: number): void {
    if (this.#timer !== undefined || counter <= 0) return
    this.call.ticket = counter
    this.#renew()
    this.#timer = setInterval(() => this.#renew(), RENEW_EVERY)
    this.#timer.unref()
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
    this.#renew()
  }

  /**
   * Stops renewing, and leaves every queue it may still be in: all of them after giving up, those of the instances
   * that did not grant it after a win (a grant took it out). No renewal can land after the grant and put it back:
   * renewals are only sent between attempts (see `attempting`), so each is written before the next attempt on its
   * connection.
   */
  end(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
    const { family, call } = this
    if (!call.queued && call.ticket === 0) return
    const args = [call.id, call.spec.channel, call.spec.permits]
    family.instances.forEach((client, i) => {
      if (call.granted?.[i]) return
      runScript(client, SHARE_LEAVE, call.spec.keys, args).catch((err: Error) => family.reportError(i, err))
    })
  }

  #renew(): void {
    const { family, call } = this
    if (this.#attempting) {
      this.#due = true
      return
    }
    const { spec } = call
    const args = [spec.code, spec.permits, call.id, call.ticket, WAITER_LEASE]
    gather(family, RENEW_PLACE, call.requestTimeout, (i) =>
      runScript(family.instances[i]!, SHARE_RENEW, spec.keys, args),
    ).then((answers) => {
      if (this.#timer !== undefined && tally(answers, Boolean).ok >= family.quorum) this.waiter.wake()
    })
  }
}
