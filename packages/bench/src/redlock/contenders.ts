/**
 * The three Redlocks behind one tiny interface, each on its own fresh ioredis clients to the same servers, so the
 * workloads run the same code against each.
 */
import { Redlock as OrgRedlock } from '@org/redlock'
import { Redlock as SesameRedlock } from '@sesamecare-oss/redlock'
import type { Redis } from 'ioredis'
import Redlock5 from 'redlock'

/** A lock as the workloads see it. */
export interface Held {
  release(): Promise<unknown>
  /** Ours only: the lock's fencing token. */
  readonly fencingToken?: bigint
}

/** One library under test with one set of settings. */
export interface Contender {
  readonly name: string
  readonly ours: boolean
  /**
   * Takes the lock. `until` (a `performance.now()` time) is when the workload stops: a contender that retries
   * "forever" retries until then, so a run always ends.
   */
  acquire(resource: string, ttl: number, until?: number): Promise<Held>
  close(): Promise<void>
}

/** Retry settings of a peer: its defaults, or tuned for a contended lock. */
export type PeerRetry = 'default' | 'tuned'

const TUNED = { retryDelay: 10, retryJitter: 10 }

/**
 * Tuned peers retry until the workload ends (their `retryCount: -1`, bounded by the end of the run so a livelocked
 * acquire cannot outlive it); with their defaults they give up after their own retries.
 */
function peerSettings(retry: PeerRetry, until: number | undefined): { retryCount?: number } {
  if (retry !== 'tuned' || until === undefined) return {}
  return { retryCount: Math.max(1, Math.ceil((until - performance.now() + 100) / TUNED.retryDelay)) }
}

/** @org/redlock with its defaults. */
export function ours(clients: Redis[]): Contender {
  const redlock = new OrgRedlock(clients)
  return {
    name: '@org/redlock',
    ours: true,
    acquire: (resource, ttl, until) =>
      redlock.acquire(
        resource,
        ttl,
        // Past the end by a margin, so a timer firing a little early never passes for a failed acquire inside the run.
        until === undefined ? undefined : { timeout: until - performance.now() + 100 },
      ),
    close: () => redlock.quit(),
  }
}

/**
 * Another build of @org/redlock (`BENCH_REDLOCK_BASELINE=/path/to/its/index.js`, e.g. one built from an older
 * commit), run beside `ours` with the same defaults: an A/B of two builds in one run, where a load change on the
 * machine hits both alike.
 */
const BASELINE = process.env.BENCH_REDLOCK_BASELINE
const BaselineRedlock: typeof OrgRedlock | undefined = BASELINE ? (await import(BASELINE)).Redlock : undefined

/** The baseline build, when one is named; its name carries the path. */
export function baseline(clients: Redis[]): Contender {
  if (!BaselineRedlock) throw new Error('BENCH_REDLOCK_BASELINE names no build')
  const redlock = new BaselineRedlock(clients)
  return {
    ...ours(clients),
    name: 'baseline build',
    acquire: (resource, ttl, until) =>
      redlock.acquire(resource, ttl, until === undefined ? undefined : { timeout: until - performance.now() + 100 }),
    close: () => redlock.quit(),
  }
}

/** redlock@5.0.0-beta.2. */
export function redlock5(clients: Redis[], retry: PeerRetry): Contender {
  const redlock = new Redlock5(clients, retry === 'tuned' ? TUNED : {})
  return {
    name: `redlock@5 ${retry}`,
    ours: false,
    acquire: (resource, ttl, until) => redlock.acquire([resource], ttl, peerSettings(retry, until)),
    close: async () => {},
  }
}

/** @sesamecare-oss/redlock@1.4.0. */
export function sesame(clients: Redis[], retry: PeerRetry): Contender {
  const redlock = new SesameRedlock(clients, retry === 'tuned' ? TUNED : {})
  return {
    name: `sesame ${retry}`,
    ours: false,
    acquire: (resource, ttl, until) => redlock.acquire([resource], ttl, peerSettings(retry, until)),
    close: async () => {},
  }
}

/** The contenders by the name a child process is given. */
export const CONTENDERS: Record<string, (clients: Redis[]) => Contender> = {
  ours,
  baseline,
  'redlock5-default': (c) => redlock5(c, 'default'),
  'redlock5-tuned': (c) => redlock5(c, 'tuned'),
  'sesame-default': (c) => sesame(c, 'default'),
  'sesame-tuned': (c) => sesame(c, 'tuned'),
}
