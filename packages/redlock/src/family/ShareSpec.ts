import type { AcquireCall } from '../AcquireCall.js'
import type { ShareKind } from './keys.js'

/** The Lua mode of a shared hold (see `scripts/shareAcquire.ts`): read, write, permit. */
export type ShareCode = 'r' | 'w' | 'p'

/** What one kind of hold on one name is, in Redis and in this process: made once per read-write lock or semaphore. */
export interface ShareSpec {
  readonly kind: ShareKind
  readonly name: string
  readonly code: ShareCode
  /** The semaphore's permits; 0 for a read-write lock. */
  readonly permits: number
  /** The eight keys of its scripts (see `keys.ts`). */
  readonly keys: readonly string[]
  /** The channel its releases are announced on. */
  readonly channel: string
  /** Its name in this process' wait queue and release notifier. */
  readonly resource: string
}

/** One acquire of a shared hold: the same for each of its attempts, but for its place in line. */
export interface ShareCall extends AcquireCall {
  readonly spec: ShareSpec
  /** True once an instance queued it: it must leave the queues however it ends. */
  queued: boolean
  /** Per instance, whether the winning attempt was granted there (a grant takes the waiter out of that queue). */
  granted: readonly boolean[] | undefined
  /**
   * The semaphore seat its next attempt asks for (-1: any): the one most instances gave its last attempt, at first
   * the one it prefers.
   */
  seat: number
  /**
   * The grant value its last attempt registered (a permit's waiter that may queue, see `scripts/shareHandOver.ts`): a
   * seat freed is handed to it. Each attempt registers a new one.
   */
  grant?: string
  /** Monotonic ms when the attempt that registered `grant` started: no seat was handed to it before. */
  grantSince: number
  /** The seat it asks hand-overs for (see `seatTally.ts`: `seatRegistration`); -1 for a read-write lock. */
  readonly prefers: number
}
