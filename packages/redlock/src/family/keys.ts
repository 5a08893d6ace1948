import { fenceKey, lockKey } from '../keys.js'

/** The two kinds of shared hold: a read-write lock or a semaphore; each has keys of its own under the same name. */
export type ShareKind = 'rw' | 'sem'

/**
 * The prefix of the shared holds' own fencing counters and channels. Their counters are not the plain lock's: a plain
 * lock records tokens in blocks (to hand the lock over without a round trip), which would interleave with the
 * single tokens of readers and permits and make comparisons across the two meaningless.
 */
function familyPrefix(prefix: string): string {
  return `${prefix}f:`
}

/**
 * The eight keys every script of a shared hold takes, in its order (see `scripts/shareQueue.ts`), all in the name's
 * Cluster slot: the name is the hash tag, as for the plain lock.
 */
export function shareKeys(prefix: string, kind: ShareKind, name: string): readonly string[] {
  const at = (part: string) => `${prefix}${kind}:${part}:{${name}}`
  const fence = shareFenceKey(prefix, name)
  return Object.freeze([at('h'), at('x'), at('q'), at('ql'), at('qn'), at('qw'), fence, at('s')])
}

/** The fencing counter of a name's shared holds (shared by every name of its Cluster slot, as the lock's is). */
export function shareFenceKey(prefix: string, name: string): string {
  return fenceKey(familyPrefix(prefix), name)
}

/** What the local wait queue and the release notifier call a shared hold: its kind and name. */
export function shareResource(kind: ShareKind, name: string): string {
  return `${kind}:${name}`
}

/** The pub/sub channel releases of a shared hold are announced on (the notifier listens to it under `resource`). */
export function shareChannel(prefix: string, resource: string): string {
  return lockKey(familyPrefix(prefix), resource)
}

/** The notifier's prefix for the shared holds' channels. */
export const shareChannelPrefix = familyPrefix

/** The keys `inspect` reads for a name, in the order of the INSPECT script. */
export function inspectKeys(prefix: string, name: string, queueLeases: string): readonly string[] {
  const rw = shareKeys(prefix, 'rw', name)
  const sem = shareKeys(prefix, 'sem', name)
  return [
    lockKey(prefix, name),
    queueLeases,
    fenceKey(prefix, name),
    rw[0]!,
    rw[1]!,
    rw[3]!,
    sem[0]!,
    sem[3]!,
    shareFenceKey(prefix, name),
    rw[2]!,
    sem[2]!,
  ]
}
