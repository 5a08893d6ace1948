import type { AttemptCall } from './attempt.js'
import type { RedlockContext } from './context.js'
import { gather, quorumOk, type RoundRule, tally } from './gather.js'
import { parseDone } from './Instance.js'
import { RENEW_EVERY, WAITER_LEASE } from './options.js'
import type { Waiter } from './Waiter.js'

/** Decided once a quorum answered without error, or can no longer: the replies say whether it is the waiter's turn. */
const RENEW_PLACE: RoundRule<boolean> = { parse: parseDone, decided: quorumOk }

/**
 * A waiter's place in the common queue in Redis, once a refused attempt put it there: its ticket is settled on every
 * instance at once, then its lease is renewed every `RENEW_EVERY` ms while it waits (a waiter that dies or pauses
 * loses its place within `WAITER_LEASE`). When a quorum says it is the waiter's turn (a key handed to it whose
 * announcement it missed, or a lock that expired with it first in line), the waiter is woken to claim it. A waiter
 * that gives up leaves the queues at once; one that wins stops renewing, and its release takes it out.
 */
export class QueuePlace {
  #timer: ReturnType<typeof setInterval> | undefined

  constructor(
    private readonly ctx: RedlockContext,
    private readonly call: AttemptCall,
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

  /** Stops renewing; a waiter that gives up (not `won`) leaves every queue it may be in. */
  end(won: boolean): void {
    clearInterval(this.#timer)
    this.#timer = undefined
    const { ctx, call } = this
    if (won || call.lease === 0 || call.tries === 0) return
    ctx.instances.forEach((instance, i) => {
      instance.leave(call.resources, call.id).catch((err: Error) => ctx.reportError(i, err))
    })
  }

  #renew(): void {
    const { ctx, call } = this
    gather(ctx, RENEW_PLACE, call.requestTimeout, (i) =>
      ctx.instances[i]!.renew(call.resources, call.id, call.ticket, WAITER_LEASE, call.grant),
    ).then((answers) => {
      if (this.#timer !== undefined && tally(answers, Boolean).ok >= ctx.quorum) this.waiter.wake()
    })
  }
}
