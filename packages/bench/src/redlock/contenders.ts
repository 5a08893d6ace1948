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
}

/** One library under test with one set of settings. */
export interface Contender {
  readonly name: string
  readonly ours: boolean
  acquire(resource: string, ttl: number): Promise<Held>
  close(): Promise<void>
}

/** Retry settings of a peer: its defaults, or tuned for a contended lock. */
export type PeerRetry = 'default' | 'tuned'

const TUNED = { retryDelay: 10, retryJitter: 10 }

/** @org/redlock with its defaults. */
export function ours(clients: Redis[]): Contender {
  const redlock = new OrgRedlock(clients)
  return {
    name: '@org/redlock',
    ours: true,
    acquire: (resource, ttl) => redlock.acquire(resource, ttl),
    close: () => redlock.quit(),
  }
}

/** redlock@5.0.0-beta.2. */
export function redlock5(clients: Redis[], retry: PeerRetry): Contender {
  const redlock = new Redlock5(clients, retry === 'tuned' ? TUNED : {})
  return {
    name: `redlock@5 ${retry}`,
    ours: false,
    acquire: (resource, ttl) => redlock.acquire([resource], ttl),
    close: async () => {},
  }
}

/** @sesamecare-oss/redlock@1.4.0. */
export function sesame(clients: Redis[], retry: PeerRetry): Contender {
  const redlock = new SesameRedlock(clients, retry === 'tuned' ? TUNED : {})
  return {
    name: `sesame ${retry}`,
    ours: false,
    acquire: (resource, ttl) => redlock.acquire([resource], ttl),
    close: async () => {},
  }
}
