import { redlockKeys } from '@org/redlock'
import type { Redis } from 'ioredis'

/** One Redis of the Redlock, named for display. */
export interface LockInstance {
  name: string
  redis: Redis
}

/** A lock held now, over the Redlock's instances. */
export interface LockView {
  resource: string
  /** The holder's `lock.value`: the value most instances hold. */
  holder: string
  /** How many instances hold the key with that value, of `instances`. */
  held: number
  instances: number
  /** The longest remaining ttl among them (ms). */
  ttlMs: number
  /** The highest fencing counter among them: the token of the current holder, or above. */
  fencingToken: number | string | null
  /**
   * Who waits for it now: the length of the resource's queue when the Redlock keeps one in Redis
   * (`redlockKeys(...).queue`, the holder not counted), else the processes subscribed to its release channel.
   */
  waiters: number
  /** Somebody found it held while this holder had it (Redlock's `+` mark on the stored value). */
  contended: boolean
}

/** A key as one instance holds it. */
interface InstanceLock {
  resource: string
  holder: string
  ttlMs: number
  token: string | null
  waiters: number
  contended: boolean
}

/**
 * Reads the locks held now on each instance, by Redlock's own key names (`redlockKeys`), without taking any. Keys
 * under the prefix that are not lock keys (fencing counters, queues) are not matched or are skipped, so a Redlock
 * that keeps more keys per resource is read the same way.
 */
export async function readLocks(instances: readonly LockInstance[], prefix: string): Promise<LockView[]> {
  const perInstance = await Promise.all(instances.map((i) => instanceLocks(i.redis, prefix)))
  const byResource = new Map<string, InstanceLock[]>()
  for (const locks of perInstance) {
    for (const lock of locks) byResource.set(lock.resource, [...(byResource.get(lock.resource) ?? []), lock])
  }
  return [...byResource.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([resource, locks]) => {
      const holder = mostCommon(locks.map((l) => l.holder))
      const same = locks.filter((l) => l.holder === holder)
      return {
        resource,
        holder,
        held: same.length,
        instances: instances.length,
        ttlMs: Math.max(...same.map((l) => l.ttlMs)),
        fencingToken: highestToken(same.map((l) => l.token)),
        waiters: Math.max(...locks.map((l) => l.waiters)),
        contended: locks.some((l) => l.contended),
      }
    })
}

async function instanceLocks(redis: Redis, prefix: string): Promise<InstanceLock[]> {
  const keys: string[] = []
  let cursor = '0'
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}{*}`, 'COUNT', 1000)
    cursor = next
    keys.push(...batch)
  } while (cursor !== '0')
  const locks = await Promise.all(keys.map((key) => instanceLock(redis, prefix, key)))
  return locks.filter((l): l is InstanceLock => l !== undefined)
}

async function instanceLock(redis: Redis, prefix: string, key: string): Promise<InstanceLock | undefined> {
  const resource = key.slice(prefix.length + 1, -1)
  const names = redlockKeys(resource, prefix) as ReturnType<typeof redlockKeys> & { queue?: string }
  // Only the lock key itself is read as a lock: the name must be the one Redlock gives this resource.
  if (names.lock !== key) return undefined
  try {
    const [stored, ttlMs, token, subscribed] = await Promise.all([
      redis.get(key),
      redis.pttl(key),
      redis.get(names.fence),
      redis.call('PUBSUB', 'NUMSUB', names.channel) as Promise<[string, number]>,
    ])
    if (stored === null) return undefined
    const contended = stored.endsWith('+')
    const holder = contended ? stored.slice(0, -1) : stored
    const queued = names.queue ? await queueLength(redis, names.queue, holder) : 0
    return { resource, holder, ttlMs, token, waiters: Math.max(queued, Number(subscribed[1] ?? 0)), contended }
  } catch {
    // Not a string key (another kind of key under the prefix), or it changed under us: not a lock to show.
    return undefined
  }
}

async function queueLength(redis: Redis, queue: string, holder: string): Promise<number> {
  const [length, holderQueued] = await Promise.all([redis.zcard(queue), redis.zscore(queue, holder)])
  return Math.max(0, length - (holderQueued === null ? 0 : 1))
}

function mostCommon(values: readonly string[]): string {
  const counts = new Map<string, number>()
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
  return [...counts.entries()].reduce((best, e) => (e[1] > best[1] ? e : best))[0]
}

function highestToken(tokens: readonly (string | null)[]): number | string | null {
  let top: bigint | undefined
  for (const t of tokens) if (t !== null && (top === undefined || BigInt(t) > top)) top = BigInt(t)
  if (top === undefined) return null
  return Number.isSafeInteger(Number(top)) ? Number(top) : top.toString()
}

/** A prefix is matched literally: glob characters in it are escaped. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&')
}
