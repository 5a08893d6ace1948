import type { Contention } from './fastPath.js'
import type { Instance } from './Instance.js'
import type { Lock, LockOwner, ReleaseResult } from './Lock.js'
import type { Settings } from './options.js'
import type { WaitQueue } from './WaitQueue.js'

/** What the acquire, extend, release and hand-over paths need from their Redlock; its constructor builds it once. */
export interface RedlockContext {
  /** The Redlock: the owner of every lock it makes. */
  readonly owner: LockOwner
  /** One per client, in the order of the clients. */
  readonly instances: readonly Instance[]
  /** floor(N/2)+1. */
  readonly quorum: number
  readonly settings: Settings
  /** The acquires that wait and the locks held, in this Redlock. */
  readonly queue: WaitQueue
  /** The channel this Redlock hears direct grants to its waiters on (`inboxChannel`, see `directGrant.ts`). */
  readonly inbox: string
  /** The resources seen contended lately: their operations skip the fast path (`fastPath.ts`). */
  readonly contention: Contention
  /** True when a waiter of another process was announced for one of the resources within the last lease. */
  othersWait(resources: readonly string[]): boolean
  /** A reply said a waiter of another process is queued for the resources (a `?` may have been lost). */
  sawOthers(resources: readonly string[]): void
  /** An instance failed or timed out (the `'clientError'` event). */
  reportError(index: number, error: Error): void
  /** The `'acquired'` event. */
  acquired(lock: Lock): void
  /** The `'extended'` event. */
  extended(lock: Lock): void
  /** The `'released'` event. */
  released(lock: Lock, result: ReleaseResult): void
}
