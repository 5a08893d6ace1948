import { EarlyHandOvers } from './EarlyHandOvers.js'
import type { Lock } from './Lock.js'
import type { Waiter } from './Waiter.js'

/** Told when a resource gets its first waiter and when its last one leaves. */
export interface WaitQueueHooks {
  busy(resource: string): void
  idle(resource: string): void
}

/**
 * The acquires of one Redlock that wait, per resource, in arrival order, and the locks this Redlock holds. A release
 * wakes only the first waiter of each freed resource, so waiters are served in order instead of racing, and a
 * resource held here is not even tried (the attempt could only fail).
 */
export class WaitQueue {
  readonly #queues = new Map<string, Waiter[]>()
  readonly #held = new Map<string, Lock>()
  readonly #byId = new Map<string, Waiter>()
  readonly #early = new EarlyHandOvers()

  constructor(private readonly hooks: WaitQueueHooks) {}

  /** True when a resource is held by a live lock of this Redlock. */
  heldHere(resources: readonly string[]): boolean {
    for (const r of resources) if (this.#held.get(r)?.valid === true) return true
    return false
  }

  /** True when the resources are held here or others already wait for them: a newcomer queues behind. */
  busy(resources: readonly string[]): boolean {
    if (this.heldHere(resources)) return true
    for (const r of resources) if (this.#queues.has(r)) return true
    return false
  }

  /** How many acquires of this Redlock wait for any of the resources (the longest line among them). */
  waiting(resources: readonly string[]): number {
    let most = 0
    for (const r of resources) most = Math.max(most, this.#queues.get(r)?.length ?? 0)
    return most
  }

  /** Puts the waiter at the back of each of its resources' queues. */
  enqueue(waiter: Waiter): void {
    if (waiter.queued) return
    waiter.queued = true
    this.#byId.set(waiter.id, waiter)
    for (const [i, token, grant] of this.#early.take(waiter.id)) this.handedTo(waiter.id, i, token, grant)
    for (const r of waiter.resources) {
      const queue = this.#queues.get(r)
      if (queue) queue.push(waiter)
      else {
        this.#queues.set(r, [waiter])
        this.hooks.busy(r)
      }
    }
  }

  /** Takes the waiter out; the next in line is woken when the resource is free here. */
  remove(waiter: Waiter): void {
    if (!waiter.queued) return
    waiter.queued = false
    this.#byId.delete(waiter.id)
    for (const r of waiter.resources) {
      const queue = this.#queues.get(r)
      if (!queue) continue
      const at = queue.indexOf(waiter)
      if (at < 0) continue
      queue.splice(at, 1)
      if (queue.length === 0) {
        this.#queues.delete(r)
        this.hooks.idle(r)
      } else if (at === 0 && !this.heldHere([r])) queue[0]!.wake()
    }
  }

  /** Records a lock this Redlock now holds. */
  hold(lock: Lock): void {
    for (const r of lock.resources) this.#held.set(r, lock)
  }

  /**
   * Forgets a released lock and wakes the first waiter of each of its resources that is not queued in Redis for a
   * direct grant: the release handed the keys to the first waiter there, which is told so if it is one of these
   * (L4b: such a wake-up cost 0.9 refused claims, three scripts, per acquisition); one not queued there yet takes its
   * place with the attempt.
   */
  release(lock: Lock): void {
    for (const r of lock.resources) {
      if (this.#held.get(r) === lock) this.#held.delete(r)
      this.#queues
        .get(r)
        ?.find((w) => !w.awaitsGrant)
        ?.wake()
    }
  }

  /**
   * The waiter a lock can be handed over to: first in line for every resource of the lock, asking for exactly those
   * resources, and waiting right now.
   */
  successorOf(lock: Lock): Waiter | undefined {
    const first = this.#queues.get(lock.resources[0]!)?.[0]
    if (!first?.waiting || first.resources.length !== lock.resources.length) return undefined
    for (const r of lock.resources) if (this.#queues.get(r)?.[0] !== first) return undefined
    return first
  }

  /** Hands a lock to a waiter: it leaves the queue and the lock is recorded as held here. */
  handOver(from: Lock, to: Lock, waiter: Waiter): void {
    for (const r of from.resources) this.#held.set(r, to)
    this.remove(waiter)
    waiter.grant(to)
  }

  /** True when the waiter id is one of this Redlock's. */
  has(id: string): boolean {
    return this.#byId.has(id)
  }

  /** Wakes the waiter of this id, if it is one of this Redlock's (the lock was handed to it in Redis). */
  wakeId(id: string): void {
    this.#byId.get(id)?.wake()
  }

  /**
   * Instance `i` handed the lock to the waiter of this id, if it is one of this Redlock's: with a token and grant
   * value, counted towards a direct grant (see `directGrant.ts`), which ends its wait once a quorum agreed; else, or
   * when no quorum can agree, it is woken to claim the key.
   */
  handedTo(id: string, i: number, token?: number, grant?: string): void {
    const waiter = this.#byId.get(id)
    if (!waiter) {
      if (token !== undefined && grant !== undefined) this.#early.keep(id, [i, token, grant])
      return
    }
    waiter.heard(
      token === undefined || grant === undefined ? 'claim' : (waiter.tally?.heard(i, token, grant) ?? 'claim'),
    )
  }

  /** Wakes the first waiter for the resource, if any (a release seen elsewhere). */
  wakeFirst(resource: string): void {
    this.#queues.get(resource)?.[0]?.wake()
  }

  /** Wakes every waiter for the resource (announcements may have been lost). */
  wakeEvery(resource: string): void {
    for (const w of this.#queues.get(resource) ?? []) w.wake()
  }

  /** Wakes everybody (closing). */
  wakeAll(): void {
    for (const queue of this.#queues.values()) for (const w of queue) w.wake()
  }
}
