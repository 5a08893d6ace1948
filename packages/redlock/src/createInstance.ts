import { isCluster, type RedisClient } from '@org/redis-core'
import { ClusterInstance } from './ClusterInstance.js'
import type { Instance } from './Instance.js'
import { ScriptBatcher } from './ScriptBatcher.js'
import { StandaloneInstance } from './StandaloneInstance.js'

/** The right adapter for a client: a Cluster spreads resources over slots, a plain client runs one script. */
export function createInstance(client: RedisClient, prefix: string): Instance {
  if (isCluster(client)) return new ClusterInstance(client, prefix)
  const batcher = new ScriptBatcher(client)
  return new StandaloneInstance(client, prefix, batcher.run)
}
