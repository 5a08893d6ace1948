import type { RedisClient } from '@org/redis-core'

/**
 * What one instance answered to an acquire: the common value its fencing counters now hold (the top of the tokens
 * recorded there for this lock) when it granted the lock, a plain number (a safe integer: Redis counters beyond 2^53
 * are refused when parsed), so that the hot path compares numbers; only the token handed out is a bigint. A
 * {@link Refusal} when it did not.
 */
export type AcquireReply = number | Refusal

/** An instance refused an acquire: who is in the way, and the waiter's place in its queue. */
export interface Refusal {
  /** This instance's ticket counter for the waiter; 0 when it was not queued. */
  readonly counter: number
  /** The waiter id holding the first refused resource, or first in its queue. */
  readonly holder: string
  /** The holder's score in that queue; -1 when it is not queued (a plain holder). */
  readonly holderTicket: number
}

/** True for a granted acquire reply. */
export function isGrant(reply: AcquireReply): reply is number {
  return typeof reply === 'number'
}

/**
 * The lock operations on one independent Redis master or Cluster, each all-or-nothing for that instance (the
 * scripts in `scripts/` say how). They resolve with the reply as the server sent it, for the round to read with the
 * parser named on each.
 */
export interface Instance {
  readonly client: RedisClient
  /** Read with {@link parseAcquireReply}. */
  acquire(
    resources: readonly string[],
    value: string,
    ttl: number,
    reserve: bigint,
    lease: number,
    ticket: number,
    waiter: string,
  ): Promise<unknown>
  raise(resources: readonly string[], ceiling: bigint): Promise<void>
  /** Whether `transfer` can keep these resources all-or-nothing on this instance. */
  canTransfer(resources: readonly string[]): boolean
  /** Read with {@link parseDone}. */
  transfer(
    resources: readonly string[],
    oldValue: string,
    newValue: string,
    ttl: number,
    ceiling: bigint,
    successor: string,
    oldWaiter: string,
  ): Promise<unknown>
  /** Read with {@link parseDone}. */
  extend(resources: readonly string[], value: string, ttl: number): Promise<unknown>
  /** Read with {@link parseCount}. */
  release(resources: readonly string[], value: string, waiter: string): Promise<unknown>
  /** Read with {@link parseDone}: 1 when it is the waiter's turn here. */
  renew(resources: readonly string[], waiter: string, ticket: number, lease: number): Promise<unknown>
  /** Read with {@link parseCount}. */
  pass(resources: readonly string[], value: string, waiter: string, target: string): Promise<unknown>
  leave(resources: readonly string[], waiter: string): Promise<unknown>
}

/** Reads a reply that is 1 when the operation was done (also accepts an already read boolean). */
export function parseDone(reply: unknown): boolean {
  return Number(reply) === 1
}

/** Reads a reply that counts keys. */
export function parseCount(reply: unknown): number {
  return Number(reply)
}

/** Reads the ACQUIRE script's reply: an integer when granted, else the refusal (also accepts one already read). */
export function parseAcquireReply(reply: unknown): AcquireReply {
  if (typeof reply === 'number' && Number.isSafeInteger(reply) && reply > 0) return reply
  if (Array.isArray(reply) && reply.length === 3) {
    const [counter, holder, holderTicket] = reply as unknown[]
    if (typeof counter === 'number' && typeof holder === 'string' && typeof holderTicket === 'number') {
      return { counter, holder, holderTicket }
    }
  }
  if (typeof reply === 'object' && reply !== null && 'holder' in reply) return reply as Refusal
  throw new Error(`unexpected ACQUIRE reply: ${String(reply)}`)
}
