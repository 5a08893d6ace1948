/**
 * L5/L6 contenders: a semaphore permit or a read/write hold behind one tiny interface, each on its own ioredis
 * clients to the same three servers. Peer: `redis-semaphore`'s RedlockSemaphore (the only semaphore over N masters
 * on npm), with its defaults and tuned; there is no read-write lock over N masters to compare with.
 */
import { Redlock } from '@org/redlock'
import type { Redis } from 'ioredis'
import { RedlockSemaphore } from 'redis-semaphore'
import type { Held } from './contenders.js'

/** What a worker asks for. */
export type Role = 'permit' | 'read' | 'write'

/** One library under test, in one worker process. */
export interface ShareContender {
  /** Takes a hold; `until` (a `performance.now()` time) is when the run stops: nobody waits past it. */
  acquire(role: Role, until: number): Promise<Held>
  close(): Promise<void>
}

/** What every contender is given. */
export interface ShareSetup {
  readonly clients: Redis[]
  readonly name: string
  readonly permits: number
  readonly ttl: number
}

/** Past the end by a margin, so a timer firing a little early never passes for a failed acquire inside the run. */
const leftUntil = (until: number) => Math.max(1, until - performance.now() + 100)

/** @org/redlock with its defaults: `redlock.semaphore()` or `redlock.readWrite()`. */
function ours({ clients, name, permits, ttl }: ShareSetup): ShareContender {
  const redlock = new Redlock(clients)
  const sem = redlock.semaphore(name, { permits, ttl })
  const rw = redlock.readWrite(name, { ttl })
  return {
    acquire: (role, until) => {
      const options = { timeout: leftUntil(until) }
      if (role === 'read') return rw.read(options)
      if (role === 'write') return rw.write(options)
      return sem.acquire(options)
    },
    close: () => redlock.quit(),
  }
}

/**
 * redis-semaphore@5.8.0 RedlockSemaphore: one object per acquisition (it is the lock). Default: its own settings
 * (retry every 10 ms, give up after 10 s). Tuned: retry every 1 ms, give up only at the end of the run.
 */
function redisSemaphore(setup: ShareSetup, tuned: boolean): ShareContender {
  const { clients, name, permits, ttl } = setup
  return {
    acquire: async (role, until) => {
      if (role !== 'permit') throw new Error('redis-semaphore has no read-write lock')
      const options = tuned
        ? { lockTimeout: ttl, retryInterval: 1, acquireTimeout: leftUntil(until) }
        : { lockTimeout: ttl }
      const semaphore = new RedlockSemaphore(clients, name, permits, options)
      await semaphore.acquire()
      return { release: () => semaphore.release() }
    },
    close: async () => {},
  }
}

/** The contenders by the name a child process is given. */
export const SHARE_CONTENDERS: Record<string, (setup: ShareSetup) => ShareContender> = {
  ours,
  'redis-semaphore-default': (s) => redisSemaphore(s, false),
  'redis-semaphore-tuned': (s) => redisSemaphore(s, true),
}
