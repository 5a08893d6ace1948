import type { Answer } from './gather.js'
import { type AcquireReply, isGrant } from './Instance.js'

/** Scores at or above this are provisional: a waiter's ticket not yet settled (see `scripts/queue.ts`). */
export const PROVISIONAL = 2 ** 50

/** A waiter's place in the common order: by ticket, then by id (as a sorted set orders equal scores). */
export interface Place {
  readonly ticket: number
  readonly id: string
}

/** True when `a` goes before `b`. */
export function before(a: Place, b: Place): boolean {
  if (a.ticket !== b.ticket) return a.ticket < b.ticket
  return a.id < b.id
}

/**
 * The waiter a failed claim hands what it got to: the first, in the common order, of itself and every waiter the
 * instances named as holding a refused key or as first in line there (with a settled ticket). Two waiters that split
 * the instances see each other's settled tickets and compute the same first one, so one of them passes its keys to
 * the other and the next claim wins: no livelock, and no waiting for a ttl. A plain holder (not queued) is not a
 * contender: its release hands its keys on by itself.
 */
export function passTarget(self: Place, answers: readonly Answer<AcquireReply>[]): string {
  let first: Place = self
  for (const a of answers) {
    if (a.status !== 'ok' || isGrant(a.value)) continue
    const { holder, holderTicket } = a.value
    if (holder === self.id || holderTicket < 0 || holderTicket >= PROVISIONAL) continue
    const other = { ticket: holderTicket, id: holder }
    if (before(other, first)) first = other
  }
  return first.id
}
