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

/** What an attempt asks one instance for: the same object goes to every instance of the attempt. */
export interface AcquireRequest {
  readonly resources: readonly string[]
  /** The attempt's own value, set in every key. */
  readonly value: string
  readonly ttl: number
  /** Tokens to record (>= 1): the spare ones serve hand-overs within this process. */
  readonly reserve: bigint
  /** The lease a refusal queues the waiter with (ms); 0: do not queue. */
  readonly lease: number
  /** The waiter's settled ticket, 0 until known. */
  readonly ticket: number
  /** The waiter id: the value of its acquire's first attempt. */
  readonly waiter: string
  /**
   * The waiter's new grant value and its inbox (one resource, a waiter that will queue; `registration` in
   * `directGrant.ts`): a refusal registers it as the value a release hands the key to, and where it announces that
   * (see `scripts/queue.ts`).
   */
  readonly grant?: string | undefined
}

/** A lock handed over to a waiter of this process: its keys take the successor's value without ever being free. */
export interface TransferRequest {
  readonly resources: readonly string[]
  readonly oldValue: string
  readonly newValue: string
  readonly ttl: number
  /** The highest token recorded for the lock: the counters are kept at least there. */
  readonly ceiling: bigint
  /** The successor's waiter id. */
  readonly successor: string
  /** The waiter id of the lock handed over: it leaves the queues. */
  readonly oldWaiter: string
  /** The holder's inbox: waiters registered under another one are another process' (see `scripts/transfer.ts`). */
  readonly inbox: string
}

/**
 * The lock operations on one independent Redis master or Cluster, each all-or-nothing for that instance (the
 * scripts in `scripts/` say how). They resolve with the reply as the server sent it, for the round to read with the
 * parser named on each.
 */
export interface Instance {
  readonly client: RedisClient
  /**
   * Read with {@link parseAcquireReply}. `fast` sends the pre-queue shape (`scripts/fastAcquire.ts`, one resource,
   * one token): its reply {@link FALL_BACK} asks for the same request again without `fast`. A Cluster ignores it.
   */
  acquire(request: AcquireRequest, fast?: boolean): Promise<unknown>
  raise(resources: readonly string[], ceiling: bigint): Promise<void>
  /** Whether `transfer` can keep these resources all-or-nothing on this instance. */
  canTransfer(resources: readonly string[]): boolean
  /** Read with {@link parseTransfer}. */
  transfer(request: TransferRequest): Promise<unknown>
  /** Read with {@link parseDone}. */
  extend(resources: readonly string[], value: string, ttl: number): Promise<unknown>
  /**
   * Read with {@link parseCount}. `fast` sends the pre-queue shape (`scripts/fastRelease.ts`, one resource, value =
   * waiter): its reply {@link FALL_BACK_RELEASE} asks for the same release again without `fast`. A Cluster ignores it.
   */
  release(resources: readonly string[], value: string, waiter: string, fast?: boolean): Promise<unknown>
  /** Read with {@link parseDone}: 1 when it is the waiter's turn here. `grant`: its registration, as on acquire. */
  renew(resources: readonly string[], waiter: string, ticket: number, lease: number, grant?: string): Promise<unknown>
  /** Read with {@link parseCount}. */
  pass(resources: readonly string[], value: string, waiter: string, target: string): Promise<unknown>
  leave(resources: readonly string[], waiter: string): Promise<unknown>
}

/** The fast acquire's reply when the queue exists or the key is held: nothing was done, send the full script. */
export const FALL_BACK = 0

/** The fast release's reply when the queue exists: nothing was done, send the full script. */
export const FALL_BACK_RELEASE = -1

/** Reads a reply that is 1 when the operation was done (also accepts an already read boolean). */
export function parseDone(reply: unknown): boolean {
  return Number(reply) === 1
}

/**
 * What a transfer did on one instance: 0 nothing, 1 handed over, {@link OTHERS_WAIT} handed over while a waiter of
 * another process is queued there.
 */
export type Transferred = 0 | 1 | 2

/** A transfer's reply when a waiter of another process is queued. */
export const OTHERS_WAIT = 2

/** Reads a transfer's reply. */
export function parseTransfer(reply: unknown): Transferred {
  const n = Number(reply)
  return n === 1 || n === OTHERS_WAIT ? n : 0
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
