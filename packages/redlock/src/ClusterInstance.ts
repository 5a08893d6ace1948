import type { Cluster } from 'ioredis'
import { type AcquireReply, type Instance, parseAcquireReply, parseCount, parseDone } from './Instance.js'
import { StandaloneInstance } from './StandaloneInstance.js'

/**
 * A Redis Cluster used as one Redlock instance. Each resource lives in its own slot (hash tag), so a multi-resource
 * operation runs one script per resource in parallel; when any part fails, the parts that succeeded are undone,
 * which keeps the outcome all-or-nothing for this instance. Its scripts go through `runScript` (in full once per node
 * connection); replies of several slots are read here, so those operations resolve with values already read (the
 * parsers accept them as they are).
 */
export class ClusterInstance implements Instance {
  readonly #single: StandaloneInstance

  constructor(
    readonly client: Cluster,
    prefix: string,
  ) {
    this.#single = new StandaloneInstance(client, prefix)
  }

  async acquire(resources: readonly string[], value: string, ttl: number, reserve: bigint): Promise<AcquireReply> {
    if (resources.length === 1) return parseAcquireReply(await this.#single.acquire(resources, value, ttl, reserve))
    const parts = await Promise.allSettled(
      resources.map(async (r) => parseAcquireReply(await this.#single.acquire([r], value, ttl, reserve))),
    )
    const replies = parts.flatMap((p) => (p.status === 'fulfilled' ? [p.value] : []))
    const failed = parts.find((p): p is PromiseRejectedResult => p.status === 'rejected')
    if (failed || replies.includes(0)) {
      // Undo the resources this value did get; a raised counter stays raised, which is harmless (never lowered).
      void this.release(resources, value).catch(() => {})
      if (failed) throw failed.reason
      return 0
    }
    // Each slot counted on its own: lift them all to the highest, so one value holds for every resource here.
    const common = Math.max(...replies)
    const behind = resources.filter((_, i) => replies[i] !== common)
    if (behind.length > 0) await this.raise(behind, BigInt(common))
    return common
  }

  async raise(resources: readonly string[], ceiling: bigint): Promise<void> {
    await Promise.all(resources.map((r) => this.#single.raise([r], ceiling)))
  }

  /** Only a single resource: across slots a hand-over could not be all-or-nothing. */
  canTransfer(resources: readonly string[]): boolean {
    return resources.length === 1
  }

  transfer(
    resources: readonly string[],
    oldValue: string,
    newValue: string,
    ttl: number,
    ceiling: bigint,
  ): Promise<unknown> {
    return this.#single.transfer(resources, oldValue, newValue, ttl, ceiling)
  }

  async extend(resources: readonly string[], value: string, ttl: number): Promise<boolean> {
    const parts = await Promise.all(resources.map((r) => this.#single.extend([r], value, ttl)))
    return parts.every(parseDone)
  }

  async release(resources: readonly string[], value: string): Promise<number> {
    const parts = await Promise.all(resources.map((r) => this.#single.release([r], value)))
    return parts.reduce((sum: number, reply) => sum + parseCount(reply), 0)
  }
}
