import type { Redis } from 'ioredis'
import { afterAll, beforeAll } from 'vitest'
import { type RedisGroup, type StartRedisOptions, startRedis } from './startRedis.js'

/** What {@link useRedis} gives a test file: its servers, and a client of the first one. */
export interface RedisFixture {
  readonly group: RedisGroup
  readonly redis: Redis
}

/**
 * Starts servers before the test file's tests and stops them after, even when a test failed:
 * `const kit = useRedis()`, then `kit.redis` (a client of the first server) and `kit.group` inside tests.
 */
export function useRedis(options?: StartRedisOptions): RedisFixture {
  let started: { group: RedisGroup; redis: Redis } | undefined
  beforeAll(async () => {
    const group = await startRedis(options)
    started = { group, redis: group.instances[0]!.client() }
  })
  afterAll(async () => {
    await started?.group.stop()
  })
  const get = () => {
    if (!started) throw new Error('useRedis(): the servers start in beforeAll; use kit.redis inside hooks and tests')
    return started
  }
  return {
    get group() {
      return get().group
    },
    get redis() {
      return get().redis
    },
  }
}
