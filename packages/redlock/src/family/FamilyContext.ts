import type { RoundContext } from '../gather.js'
import type { RedisClient, Settings } from '../options.js'
import { ReleaseNotifier } from '../ReleaseNotifier.js'
import { WaitQueue } from '../WaitQueue.js'
import { shareChannelPrefix } from './keys.js'

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
 * plain lock), the wait queue of this process (the lock's own `WaitQueue`, keyed by kind and name, so waiters of a
 * process are served in arrival order and woken one after the other), and a `ReleaseNotifier` of its own on the
 * shared holds' channels (one more subscriber connection per instance, opened on the first wait).
 */
export interface FamilyContext extends RoundContext {
  readonly instances: readonly RedisClient[]
  readonly quorum: number
  readonly settings: Settings
  readonly owner: FamilyOwner
  readonly queue: WaitQueue
  readonly notifier: ReleaseNotifier
}

const families = new WeakMap<FamilyOwner, FamilyContext>()

/** The shared holds' context of a Redlock, made on first use. */
export function familyOf(owner: FamilyOwner): FamilyContext {
  let family = families.get(owner)
  if (family) return family
  const reportError = (index: number, error: Error) => {
    if (owner.listenerCount('clientError') > 0) owner.emit('clientError', error, owner.clients[index]!)
  }
  const notifier: ReleaseNotifier = new ReleaseNotifier(
    owner.clients,
    shareChannelPrefix(owner.settings.keyPrefix),
    owner.quorum,
    (resource) => queue.wakeFirst(resource),
    reportError,
    // A change announces, by id, the waiters it let in (`>id`): exactly they are woken.
    { handed: (_resource, id) => queue.wakeId(id), waiting: () => {} },
  )
  const queue: WaitQueue = new WaitQueue({
    busy: (resource) => notifier.watch(resource),
    idle: (resource) => notifier.unwatch(resource),
  })
  family = {
    instances: owner.clients,
    quorum: owner.quorum,
    settings: owner.settings,
    owner,
    queue,
    notifier,
    reportError,
  }
  families.set(owner, family)
  return family
}

/** Closes what the shared holds opened (their subscriber connections) and wakes their waiters; for `quit()`. */
export function closeFamily(owner: FamilyOwner): void {
  const family = families.get(owner)
  if (!family) return
  family.notifier.close()
  family.queue.wakeAll()
}
