import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { Cluster, type ClusterOptions } from 'ioredis'
import { findRedisCli } from './findRedisServer.js'
import { RedisInstance } from './RedisInstance.js'
import { waitFor } from './waitFor.js'

const run = promisify(execFile)

/** Options of {@link startCluster}. */
export interface StartClusterOptions {
  /** Number of masters (default 3, at least 3: Redis Cluster needs them). */
  masters?: number
  /** Replicas per master (default 0). */
  replicas?: 0 | 1
  /** Milliseconds before a silent node is judged failing (default 2000). */
  nodeTimeoutMs?: number
}

/** A real local Redis Cluster started by the kit. */
export interface RedisClusterHandle {
  /** Every server of the cluster, masters first as created. */
  readonly nodes: readonly RedisInstance[]
  /** Where a cluster client starts from. */
  readonly startupNodes: readonly { host: string; port: number }[]
  /** A new ioredis Cluster client; closed by `stop()`. */
  client(options?: ClusterOptions): Cluster
  /** Stops every node and removes their data. */
  stop(): Promise<void>
}

/** Starts cluster-enabled servers, joins them with `redis-cli --cluster create`, and waits for `cluster_state:ok`. */
export async function startCluster(options: StartClusterOptions = {}): Promise<RedisClusterHandle> {
  const { masters = 3, replicas = 0, nodeTimeoutMs = 2_000 } = options
  if (!Number.isInteger(masters) || masters < 3) throw new RangeError(`masters must be an integer >= 3, got ${masters}`)
  if (replicas !== 0 && replicas !== 1) throw new RangeError(`replicas must be 0 or 1, got ${replicas}`)
  const cli = findRedisCli()
  const extraArgs = [
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    'nodes.conf',
    '--cluster-node-timeout',
    String(nodeTimeoutMs),
  ]
  const total = masters * (1 + replicas)
  const started = await Promise.allSettled(
    Array.from({ length: total }, () => RedisInstance.start({ extraArgs, needsBusPort: true })),
  )
  const nodes = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
  const clients = new Set<Cluster>()
  const stop = async () => {
    for (const c of clients) c.disconnect()
    clients.clear()
    await Promise.all(nodes.map((n) => n.stop()))
  }
  try {
    const failed = started.find((r) => r.status === 'rejected')
    if (failed) throw (failed as PromiseRejectedResult).reason
    const addresses = nodes.map((n) => `${n.host}:${n.port}`)
    await run(cli, ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes'], {
      timeout: 30_000,
    })
    const probes = nodes.map((n) => n.client({ lazyConnect: false }))
    try {
      await waitFor(
        async () => {
          const infos = await Promise.all(probes.map((p) => p.cluster('INFO') as Promise<string>))
          return infos.every((i) => i.includes('cluster_state:ok') && i.includes(`cluster_known_nodes:${total}`))
        },
        { timeoutMs: 30_000, intervalMs: 50, what: 'cluster_state:ok on every node' },
      )
    } finally {
      for (const p of probes) p.disconnect()
    }
  } catch (err) {
    await stop()
    throw err
  }
  const startupNodes = nodes.map((n) => ({ host: n.host, port: n.port }))
  return {
    nodes,
    startupNodes,
    client(clientOptions: ClusterOptions = {}) {
      const client = new Cluster([...startupNodes], clientOptions)
      client.on('error', () => {})
      clients.add(client)
      return client
    },
    stop,
  }
}
