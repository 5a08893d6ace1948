import { type InstanceOptions, RedisInstance } from './RedisInstance.js'

/** Options of {@link startRedis}. */
export interface StartRedisOptions {
  /** How many independent servers (default 1). */
  count?: number
  /** Keep data across `restart()` (default false). */
  persistence?: boolean
  /** Extra `redis-server` arguments for every server. */
  extraArgs?: string[]
}

/** Servers started together, stopped together. */
export interface RedisGroup {
  readonly instances: readonly RedisInstance[]
  /** One new ioredis client per instance, in order. */
  clients(): ReturnType<RedisInstance['client']>[]
  /** Stops every server of the group and removes their data. */
  stop(): Promise<void>
}

/** Starts `count` independent redis-server processes on free loopback ports. */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisGroup> {
  const { count = 1, persistence = false, extraArgs } = options
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${count}`)
  const instanceOptions: InstanceOptions = { persistence, ...(extraArgs ? { extraArgs } : {}) }
  const started = await Promise.allSettled(Array.from({ length: count }, () => RedisInstance.start(instanceOptions)))
  const instances = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
  const failed = started.find((r) => r.status === 'rejected')
  if (failed) {
    await Promise.all(instances.map((i) => i.stop()))
    throw (failed as PromiseRejectedResult).reason
  }
  return {
    instances,
    clients: () => instances.map((i) => i.client()),
    stop: async () => {
      await Promise.all(instances.map((i) => i.stop()))
    },
  }
}
