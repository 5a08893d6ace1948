import type { Cluster } from 'ioredis'
import { type AcquireReply, higher, type Instance } from './Instance.js'
import { StandaloneInstance } from './StandaloneInstance.js'

/**
 * A Redis Cluster used as one Redlock instance. Each resource lives in its own slot (hash tag), so a multi-resource
 * operation runs one script per resource in parallel; when any part fails, the parts that succeeded are undone,
 * which keeps the outcome all-or-nothing for this instance.
 */
export class ClusterInstance implements Instance {
  readonly #single: StandaloneInstance

  constructor(
    readonly client: Cluster,
    prefix: string,
  ) {
    this.#single = new StandaloneInstance(client, prefix)
  }

  async acquire(
    resources: readonly string[],
    value: string,
    ttl: number,
    candidate: bigint,
    ceiling: bigint,
  ): Promise<AcquireReply> {
    if (resources.length === 1) return this.#single.acquire(resources, value, ttl, candidate, ceiling)
    const parts = await Promise.allSettled(
      resources.map((r) => this.#single.acquire([r], value, ttl, candidate, ceiling)),
    )
    const replies = parts.flatMap((p) => (p.status === 'fulfilled' ? [p.value] : []))
    const counter = replies.reduce((top, r) => higher(top, r.counter), 0n)
    const failed = parts.find((p): p is PromiseRejectedResult => p.status === 'rejected')
    const locked = replies.some((r) => r.locked)
    if (failed || locked) {
      // Undo the resources this value did get; a raised counter stays raised, which is harmless (never lowered).
      void this.release(resources, value, false).catch(() => {})
      if (failed) throw failed.reason
      return { locked: true, fenced: false, counter }
    }
    const fenced = replies.every((r) => r.fenced)
    return { locked: false, fenced, counter: fenced ? ceiling : counter }
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
  ): Promise<boolean> {
    return this.#single.transfer(resources, oldValue, newValue, ttl, ceiling)
  }

  async extend(resources: readonly string[], value: string, ttl: number): Promise<boolean> {
    if (resources.length === 1) return this.#single.extend(resources, value, ttl)
    const parts = await Promise.all(resources.map((r) => this.#single.extend([r], value, ttl)))
    return parts.every(Boolean)
  }

  async release(resources: readonly string[], value: string, announce: boolean): Promise<number> {
    if (resources.length === 1) return this.#single.release(resources, value, announce)
    const parts = await Promise.all(resources.map((r) => this.#single.release([r], value, announce)))
    return parts.reduce((a, b) => a + b, 0)
  }
}
