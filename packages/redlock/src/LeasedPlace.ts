import type { AcquireCall } from './AcquireCall.js'
import { gather, quorumOk, type RoundContext, type RoundRule, tally } from './gather.js'
import { parseDone } from './Instance.js'
import { RENEW_EVERY } from './options.js'
import type { Waiter } from './Waiter.js'

/** Decided once a quorum answered without error, or can no longer: the replies say whether it is the waiter's turn. */
const RENEW_PLACE: RoundRule<boolean> = { parse: parseDone, decided: quorumOk }

/**
 * A waiter's place in a queue in Redis, once a refused attempt put it there, for a plain lock (`QueuePlace`) and a
 * shared hold (`family/SharePlace`) alike: its ticket (the highest counter a refusal gave) is settled on every
 * instance at once, then its lease is renewed every `RENEW_EVERY` ms while it waits (a waiter that dies or pauses
 * loses its place within `WAITER_LEASE`); when a quorum's renewals say it is the waiter's turn (a hand-over whose
 * announcement it missed, a holder that expired), the waiter is woken to try. The subclass says what a renewal sends
 * and how the place is left.
 */
export abstract class LeasedPlace {
  #timer: ReturnType<typeof setInterval> | undefined

  constructor(
    private readonly round: RoundContext,
    private readonly acquire: AcquireCall,
    private readonly waiter: Waiter,
  ) {}

  /** Settles the ticket (the highest counter a refusal gave) and starts renewing; once. */
  join(counter: number): void {
    if (this.#timer !== undefined || counter <= 0) return
    this.acquire.ticket = counter
    this.renew()
    this.#timer = setInterval(() => this.renew(), RENEW_EVERY)
    this.#timer.unref()
  }

  /** Stops renewing (a renewal on its way no longer wakes the waiter). */
  protected stopRenewing(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** Renews the lease on every instance; wakes the waiter when a quorum says it is its turn. */
  protected renew(): void {
    const { round } = this
    gather(round, RENEW_PLACE, this.acquire.requestTimeout, (i) => this.sendRenewal(i)).then((answers) => {
      if (this.#timer !== undefined && tally(answers, Boolean).ok >= round.quorum) this.waiter.wake()
    })
  }

  /** Sends one renewal to instance `i`: its reply is 1 when it is the waiter's turn there. */
  protected abstract sendRenewal(i: number): Promise<unknown>
}
