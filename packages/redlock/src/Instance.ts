import type { RedisClient } from '@org/redis-core'

/**
 * What one instance answered to an acquire: 0 when another value holds one of the resources (nothing changed),
 * else the common value its fencing counters now hold (the top of the tokens recorded there for this lock). A plain
 * number (a safe integer: Redis counters beyond 2^53 are refused when parsed), so that the hot path compares numbers;
 * only the token handed out is a bigint.
 */
export type AcquireReply = number

/**
 * The lock operations on one independent Redis master or Cluster, each all-or-nothing for that instance (the
 * scripts in `scripts/` say how). They resolve with the reply as the server sent it, for the round to read with the
 * parser named on each.
 */
export interface Instance {
  readonly client: RedisClient
  /** Read with {@link parseAcquireReply}. */
  acquire(resources: readonly string[], value: string, ttl: number, reserve: bigint): Promise<unknown>
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
  ): Promise<unknown>
  /** Read with {@link parseDone}. */
  extend(resources: readonly string[], value: string, ttl: number): Promise<unknown>
  /** Read with {@link parseCount}. */
  release(resources: readonly string[], value: string): Promise<unknown>
}

/** Reads a reply that is 1 when the operation was done (also accepts an already read boolean). */
export function parseDone(reply: unknown): boolean {
  return Number(reply) === 1
}

/** Reads a reply that counts keys. */
export function parseCount(reply: unknown): number {
  return Number(reply)
}

/** Reads the ACQUIRE script's reply: one integer, 0 when locked. */
export function parseAcquireReply(reply: unknown): AcquireReply {
  if (typeof reply !== 'number' || !Number.isSafeInteger(reply) || reply < 0) {
    throw new Error(`unexpected ACQUIRE reply: ${String(reply)}`)
  }
  return reply
}
