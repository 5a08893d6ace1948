import { ClusterInstance } from './ClusterInstance.js'
import type { Instance } from './Instance.js'
import { isCluster, type RedisClient } from './RedisClient.js'
import { StandaloneInstance } from './StandaloneInstance.js'

/** The right adapter for a client: a Cluster spreads resources over slots, a plain client runs one script. */
export function createInstance(client: RedisClient, prefix: string): Instance {
  return isCluster(client) ? new ClusterInstance(client, prefix) : new StandaloneInstance(client, prefix)
}
