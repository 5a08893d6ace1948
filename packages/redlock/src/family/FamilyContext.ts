import { randomUUID } from 'node:crypto'
import { EarlyHandOvers } from '../EarlyHandOvers.js'
import type { RoundContext } from '../gather.js'
import { inboxChannel } from '../keys.js'
import type { RedisClient, Settings } from '../options.js'
import { ReleaseNotifier } from '../ReleaseNotifier.js'
import type { Waiter } from '../Waiter.js'
import { WaitQueue } from '../WaitQueue.js'
import { shareChannelPrefix } from './keys.js'
import type { SeatTally } from './seatTally.js'

/** What the shared holds need from the Redlock they belong to (its public side, and its `clientError` event). */
export interface FamilyOwner {
  readonly clients: readonly RedisClient[]
  readonly settings: Settings
  readonly quorum: number
  listenerCount(event: 'clientError'): number
  emit(event: 'clientError', error: Error, client: RedisClient): boolean
}

/**
 * What every read-write lock and semaphore of one Redlock shares: the instances (one round goes to each, as for the
 * plain lock), the waiters of this process, and a `ReleaseNotifier` of its own on the shared holds' channels (one more
 * subscriber connection per instance, opened on the first wait).
 *
 * Waiters are registered in a `WaitQueue` (the plain lock's), each under a key of its own: it wakes them by id when an
 * instance announces that a change let them in (`>id`), and on closing. Their order is the common queue's in Redis,
 * not this process' line: several readers or permits may go in at once, so a waiter must not wait for the one before
 * it here, and the waiters a release lets in are named by the instances themselves. A semaphore's instances hand the
 * seat itself to a waiter with a grant value, on this Redlock's shared-hold inbox (`>id token grant seat`): counted by
 * the waiter's `SeatTally`, which ends its wait once a quorum handed it one seat.
 */
export interface FamilyContext extends RoundContext {
  readonly instances: readonly RedisClient[]
  readonly quorum: number
  readonly settings: Settings
  readonly owner: FamilyOwner
  readonly notifier: ReleaseNotifier
  /** The channel seats handed to this Redlock's permit waiters are announced on (`scripts/shareHandOver.ts`). */
  readonly inbox: string
  /**
   * Registers a waiter: it can be woken by id (from now on, when its channel is listened to), and a permit's waiter
   * with a tally ends its wait once a quorum handed it a seat. Idempotent.
   */
  register(waiter: Waiter, tally?: SeatTally): void
  /** Registers a waiter for a hold (`resource`, see `keys.ts`): woken by id, its channel listened to. Idempotent. */
  wait(resource: string, waiter: Waiter): void
  /** Unregisters it; the channel is left once nobody here waits for the hold. */
  stopWaiting(resource: string, waiter: Waiter): void
  /** Wakes every waiter (closing). */
  wakeAll(): void
}

const families = new WeakMap<FamilyOwner, FamilyContext>()

/** The shared holds' context of a Redlock, made on first use. */
export function familyOf(owner: FamilyOwner): FamilyContext {
  let family = families.get(owner)
  if (family) return family
  const reportError = (index: number, error: Error) => {
    if (owner.listenerCount('clientError') > 0) owner.emit('clientError', error, owner.clients[index]!)
  }
  const waiting = new Map<string, Set<Waiter>>()
  /** How many instances named a waiter since it was last woken. */
  const named = new Map<string, number>()
  const queue = new WaitQueue({ busy: () => {}, idle: () => {} })
  const tallies = new Map<string, { waiter: Waiter; tally: SeatTally }>()
  const inbox = inboxChannel(shareChannelPrefix(owner.settings.keyPrefix), randomUUID())
  const notifier = new ReleaseNotifier(
    owner.clients,
    shareChannelPrefix(owner.settings.keyPrefix),
    owner.quorum,
    // Only the one wake-up after subscribing comes this way (releases are announced by id): it covers a release
    // announced before the subscription, so every waiter of the hold tries once.
    (resource) => {
      for (const waiter of waiting.get(resource) ?? []) waiter.wake()
    },
    reportError,
    // Woken once a quorum of instances named it: an attempt on the first name alone would mostly meet instances that
    // have not seen the change yet, fail, and have to be undone. A waiter a minority names is found by its renewal.
    {
      handed: (_resource, id, instance, token, grant) => {
        if (token !== undefined && grant !== undefined) {
          handedSeat(id, instance, token, grant)
          return
        }
        if (!queue.has(id)) return // another process' waiter
        const heard = (named.get(id) ?? 0) + 1
        if (heard < owner.quorum) {
          named.set(id, heard)
          return
        }
        named.delete(id)
        queue.wakeId(id)
      },
      waiting: () => {},
      missed: (resource) => {
        for (const waiter of waiting.get(resource) ?? []) waiter.wake()
      },
    },
    inbox,
  )
  /** A seat handed to a waiter of this Redlock: `grant` is `<grant value> <seat>`. */
  const handedSeat = (id: string, instance: number, token: number, grant: string) => {
    const entry = tallies.get(id)
    const space = grant.indexOf(' ')
    if (space < 0) return
    if (!entry) {
      early.keep(id, [instance, token, grant])
      return
    }
    entry.waiter.heard(entry.tally.heard(instance, Number(grant.slice(space + 1)), token, grant.slice(0, space)))
  }
  /** Seats handed to waiters before they registered (see `EarlyHandOvers`). */
  const early = new EarlyHandOvers()
  family = {
    instances: owner.clients,
    quorum: owner.quorum,
    settings: owner.settings,
    owner,
    notifier,
    inbox,
    reportError,
    register(waiter, tally) {
      queue.enqueue(waiter)
      if (!tally) return
      tallies.set(waiter.id, { waiter, tally })
      for (const [i, token, grant] of early.take(waiter.id)) handedSeat(waiter.id, i, token, grant)
    },
    wait(resource, waiter) {
      queue.enqueue(waiter)
      let set = waiting.get(resource)
      if (!set) {
        set = new Set()
        waiting.set(resource, set)
        notifier.watch(resource)
      }
      set.add(waiter)
    },
    stopWaiting(resource, waiter) {
      queue.remove(waiter)
      named.delete(waiter.id)
      tallies.delete(waiter.id)
      const set = waiting.get(resource)
      if (!set?.delete(waiter) || set.size > 0) return
      waiting.delete(resource)
      notifier.unwatch(resource)
    },
    wakeAll: () => queue.wakeAll(),
  }
  families.set(owner, family)
  return family
}

/** Closes what the shared holds opened (their subscriber connections) and wakes their waiters; for `quit()`. */
export function closeFamily(owner: FamilyOwner): void {
  const family = families.get(owner)
  if (!family) return
  family.notifier.close()
  family.wakeAll()
}
