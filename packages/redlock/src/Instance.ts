import type { RedisClient } from './RedisClient.js'

/** What one instance answered to an acquire. */
export interface AcquireReply {
  /** Another value holds at least one of the resources; nothing was changed. */
  readonly locked: boolean
  /** The locks were set and every counter now records the candidate token. */
  readonly fenced: boolean
  /** The highest fencing counter seen (the ceiling recorded when fenced). */
  readonly counter: bigint
}

/** The lock operations on one independent Redis master or Cluster, each all-or-nothing for that instance. */
export interface Instance {
  readonly client: RedisClient
  acquire(
    resources: readonly string[],
    value: string,
    ttl: number,
    candidate: bigint,
    ceiling: bigint,
  ): Promise<AcquireReply>
  raise(resources: readonly string[], ceiling: bigint): Promise<void>
  /** Whether `transfer` can keep these resources all-or-nothing on this instance. */
  canTransfer(resources: readonly string[]): boolean
  transfer(
    resources: readonly string[],
    oldValue: string,
    newValue: string,
    ttl: number,
    ceiling: bigint,
  ): Promise<boolean>
  extend(resources: readonly string[], value: string, ttl: number): Promise<boolean>
  release(resources: readonly string[], value: string, announce: boolean): Promise<number>
}

const FENCED = 1

/** Reads the ACQUIRE script's reply: the integer 1 when fenced at `ceiling`, else `{status, counter}`. */
export function parseAcquireReply(reply: unknown, ceiling: bigint): AcquireReply {
  if (reply === FENCED) return { locked: false, fenced: true, counter: ceiling }
  if (!Array.isArray(reply) || reply.length !== 2) throw new Error(`unexpected ACQUIRE reply: ${String(reply)}`)
  return { locked: Number(reply[0]) === 0, fenced: false, counter: BigInt(String(reply[1])) }
}

/** The larger of two tokens (Math.max does not take bigints). */
export function higher(a: bigint, b: bigint): bigint {
  return a > b ? a : b
}
