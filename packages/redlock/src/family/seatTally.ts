import type { Heard } from '../directGrant.js'
import type { ShareCall } from './ShareSpec.js'

/**
 * What a permit's waiter registers with its queue entry (see `scripts/shareHandOver.ts`): its grant value, the seat it
 * prefers, and its Redlock's shared-hold inbox, space-separated; undefined without a grant value. A freed seat goes to
 * the first waiter near the head of the line that prefers it, so every instance whose line agrees hands it to the same
 * waiter, whatever order racing releases reached it in.
 */
export function seatRegistration(call: ShareCall, inbox: string): string | undefined {
  return call.grant === undefined ? undefined : `${call.grant} ${call.prefers} ${inbox}`
}

/** What a quorum of instances handed the waiter: the seat, and each instance's fencing counter (undefined: not it). */
export interface HandedSeat {
  readonly seat: number
  readonly tokens: readonly (number | undefined)[]
}

/**
 * The seats handed to one waiter for a permit (`>id token grant seat`, see `scripts/shareHandOver.ts`), by instance:
 * the waiter holds a permit without an attempt once a quorum of instances handed the same seat to the grant value it
 * registered last. The tokens may differ (`shareGrant.ts` then moves the counters past them, as an attempt does).
 * Safe because nothing touches a seat held by that value but its expiry (the hand-over ttl) and the waiter's own later
 * requests: its next attempt registers a new grant value, and from then on the old one no longer counts here (that
 * attempt takes such seats over).
 */
export class SeatTally {
  /** The grant value the seats below were handed to. */
  #for: string | undefined
  #seats: (number | undefined)[] = []
  #tokens: (number | undefined)[] = []
  #agreed: number | undefined

  constructor(
    private readonly call: ShareCall,
    private readonly instances: number,
    private readonly quorum: number,
  ) {}

  /**
   * Instance `i` handed `seat` to `grant` with `token`: `'granted'` once a quorum handed one seat, `'claim'` when no
   * seat can reach a quorum any more (the waiter then attempts, and takes over what it was handed), `'wait'`
   * otherwise, and `'stale'` for a grant value that is not the waiter's current one (an attempt sent since takes that
   * over).
   */
  heard(i: number, seat: number, token: number, grant: string): Heard {
    if (grant !== this.call.grant || !Number.isSafeInteger(token) || !Number.isSafeInteger(seat)) return 'stale'
    if (this.#for !== grant) {
      this.#for = grant
      this.#seats = new Array(this.instances).fill(undefined)
      this.#tokens = new Array(this.instances).fill(undefined)
      this.#agreed = undefined
    }
    this.#seats[i] = seat
    this.#tokens[i] = token
    let heard = 0
    let best = 0
    for (const s of this.#seats) {
      if (s === undefined) continue
      heard++
      let same = 0
      for (const t of this.#seats) if (t === s) same++
      if (same >= this.quorum) {
        this.#agreed = s
        return 'granted'
      }
      best = Math.max(best, same)
    }
    return best + (this.instances - heard) < this.quorum ? 'claim' : 'wait'
  }

  /** The seat a quorum handed to the waiter's current grant value, with the tokens of those instances, if any. */
  agreed(): HandedSeat | undefined {
    const seat = this.#agreed
    if (seat === undefined || this.#for !== this.call.grant) return undefined
    return { seat, tokens: this.#tokens.map((t, i) => (this.#seats[i] === seat ? t : undefined)) }
  }
}
