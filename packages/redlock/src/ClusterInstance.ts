import type { Cluster } from 'ioredis'
import {
  type AcquireReply,
  type AcquireRequest,
  type Instance,
  isGrant,
  parseAcquireReply,
  parseCount,
  parseDone,
  type TransferRequest,
} from './Instance.js'
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

  async acquire(request: AcquireRequest): Promise<AcquireReply> {
    const { resources, value, waiter } = request
    const one = async (r: readonly string[]) =>
      parseAcquireReply(await this.#single.acquire(r === resources ? request : { ...request, resources: r }))
    if (resources.length === 1) return one(resources)
    const parts = await Promise.allSettled(resources.map((r) => one([r])))
    const replies = parts.flatMap((p) => (p.status === 'fulfilled' ? [p.value] : []))
    const failed = parts.find((p): p is PromiseRejectedResult => p.status === 'rejected')
    const refused = replies.find((reply) => !isGrant(reply))
    if (failed || refused !== undefined) {
      // Undo the resources this value did get; a raised counter stays raised, which is harmless (never lowered).
      void this.release(resources, value, waiter).catch(() => {})
      if (failed) throw failed.reason
      return refused as AcquireReply
    }
    // Each slot counted on its own: lift them all to the highest, so one value holds for every resource here.
    const counters = replies as number[]
    const common = Math.max(...counters)
    const behind = resources.filter((_, i) => counters[i] !== common)
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

  transfer(request: TransferRequest): Promise<unknown> {
    return this.#single.transfer(request)
  }

  async extend(resources: readonly string[], value: string, ttl: number): Promise<boolean> {
    const parts = await Promise.all(resources.map((r) => this.#single.extend([r], value, ttl)))
    return parts.every(parseDone)
  }

  async release(resources: readonly string[], value: string, waiter: string): Promise<number> {
    const parts = await Promise.all(resources.map((r) => this.#single.release([r], value, waiter)))
    return parts.reduce((sum: number, reply) => sum + parseCount(reply), 0)
  }

  async renew(
    resources: readonly string[],
    waiter: string,
    ticket: number,
    lease: number,
    grant?: string,
  ): Promise<boolean> {
    const parts = await Promise.all(resources.map((r) => this.#single.renew([r], waiter, ticket, lease, grant)))
    return parts.every(parseDone)
  }

  async pass(resources: readonly string[], value: string, waiter: string, target: string): Promise<number> {
    const parts = await Promise.all(resources.map((r) => this.#single.pass([r], value, waiter, target)))
    return parts.reduce((sum: number, reply) => sum + parseCount(reply), 0)
  }

  async leave(resources: readonly string[], waiter: string): Promise<void> {
    await Promise.all(resources.map((r) => this.#single.leave([r], waiter)))
  }
}
