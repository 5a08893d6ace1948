import { keySlot, SLOTS, tagSlot } from '@org/redis-core'
import { slotTags } from './fenceTags.js'

/**
 * Key names. The resource sits in a hash tag so that its lock key and its release channel share one Cluster slot,
 * whatever the prefix.
 */
export function lockKey(prefix: string, resource: string): string {
  return `${prefix}{${resource}}`
}

let tags: string[] | undefined

/** A short hash tag for a Cluster slot (see `slotTags`); the table is built once per process, by the first Redlock. */
export function tagOfSlot(slot: number): string {
  tags ??= slotTags()
  return tags[slot]!
}

/**
 * The fencing counter of a resource, shared by every resource whose lock key falls in the same Cluster slot (its
 * key carries a tag of that slot, so a script can touch both on a Cluster). It never expires, so tokens keep growing
 * across locks; there are at most 16,384 of them per instance, however many distinct resources are ever locked (a
 * counter per resource would grow Redis without bound, and a bigger keyspace makes every command dearer).
 */
export function fenceKey(prefix: string, resource: string): string {
  const slot = lockSlot(prefix, resource)
  let names = fenceNames.get(prefix)
  if (!names) {
    names = new Array(SLOTS)
    fenceNames.set(prefix, names)
  }
  // At most one string per slot and prefix, built once: the hot path then only hashes the resource.
  let name = names[slot]
  if (name === undefined) {
    name = `${prefix}fence:{${tagOfSlot(slot)}}`
    names[slot] = name
  }
  return name
}

const fenceNames = new Map<string, (string | undefined)[]>()

/**
 * The Cluster slot of a resource's lock key, read from the resource itself when the prefix has no `{`: the key's
 * hash tag then starts right after the prefix and is the resource up to its first `}` (the whole key is hashed when
 * that leaves it empty). Saves scanning the prefix and a concatenated string on every acquire.
 */
function lockSlot(prefix: string, resource: string): number {
  if (!prefix.includes('{')) {
    const end = resource.indexOf('}')
    if (end !== 0) return tagSlot(resource, 0, end < 0 ? resource.length : end)
  }
  return keySlot(lockKey(prefix, resource))
}

/** The pub/sub channel a release of the resource is announced on (the lock key itself). */
export const releaseChannel = lockKey

/**
 * The channel a Redlock hears the direct grants to its own waiters on (`directGrant.ts`): one per Redlock, so a
 * hand-over wakes only the process it goes to. Never a lock key: those hold the resource in braces.
 */
export function inboxChannel(prefix: string, id: string): string {
  return `${prefix}inbox:${id}`
}

/** Where a resource's lock lives in Redis: for tools that inspect locks without taking them. */
export interface RedlockKeys {
  /** The lock key: the holder's value (followed by `+` once somebody waited), with the lock's ttl. */
  readonly lock: string
  /** The fencing counter: never below the last token issued for the resource. */
  readonly fence: string
  /** The channel a release of the lock is announced on when somebody waits, and hand-overs and new waiters. */
  readonly channel: string
  /** The waiters in line on this instance: a sorted set of waiter ids scored by ticket. */
  readonly queue: string
  /** The waiters' leases: a sorted set of waiter ids scored by the Redis time (ms) their lease ends. */
  readonly leases: string
  /** The counter tickets are drawn from. */
  readonly tickets: string
}

/** The Redis keys of a resource under a key prefix (default `redlock:`, as in `RedlockOptions.keyPrefix`). */
export function redlockKeys(resource: string, keyPrefix = 'redlock:'): RedlockKeys {
  return {
    lock: lockKey(keyPrefix, resource),
    fence: fenceKey(keyPrefix, resource),
    channel: releaseChannel(keyPrefix, resource),
    ...queueNames(keyPrefix, resource),
  }
}

/**
 * The queue of a resource's waiters on one instance (see `scripts/queue.ts`): waiter ids scored by ticket, their
 * leases, and the ticket counter. They share the lock key's hash tag, so a Cluster keeps them in its slot.
 */
export function queueKeys(prefix: string, resource: string): [queue: string, leases: string, tickets: string] {
  return [`${prefix}q:{${resource}}`, `${prefix}ql:{${resource}}`, `${prefix}qn:{${resource}}`]
}

function queueNames(prefix: string, resource: string) {
  const [queue, leases, tickets] = queueKeys(prefix, resource)
  return { queue, leases, tickets }
}
