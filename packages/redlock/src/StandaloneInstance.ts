import { type RedisClient, runScript, type ScriptArg } from '@org/redis-core'
import type { Instance } from './Instance.js'
import { fenceKey, lockKey } from './keys.js'
import { ACQUIRE } from './scripts/acquire.js'
import { EXTEND } from './scripts/extend.js'
import type { Operation } from './scripts/Operation.js'
import { RAISE } from './scripts/raise.js'
import { RELEASE } from './scripts/release.js'
import { TRANSFER } from './scripts/transfer.js'

/**
 * How an operation reaches the server, resolving with the raw reply: through a `ScriptBatcher` for a single server,
 * by `runScript` for a Cluster (slots differ). `later` lets the caller go on before the operation is written.
 */
export type OperationRunner = (
  op: Operation,
  keys: readonly string[],
  args: readonly ScriptArg[],
  later?: boolean,
) => Promise<unknown>

/** The keys of the resources asked for last: an operation asks every instance in turn with the same resources. */
let last: { prefix: string; resources: readonly string[]; locks: string[]; all: string[] } | undefined

/** The lock keys of the resources, then (when `fences`) their fencing counters; built once per operation. */
function keysOf(prefix: string, resources: readonly string[], fences: boolean): readonly string[] {
  if (last?.resources !== resources || last.prefix !== prefix) {
    // Resource arrays are frozen copies, so the same array always means the same keys.
    const n = resources.length
    const all: string[] = new Array(2 * n)
    for (let i = 0; i < n; i++) {
      all[i] = lockKey(prefix, resources[i]!)
      all[n + i] = fenceKey(prefix, resources[i]!)
    }
    last = { prefix, resources, locks: all.slice(0, n), all }
  }
  return fences ? last.all : last.locks
}

/** One Redis master: every operation on all resources is a single atomic script. */
export class StandaloneInstance implements Instance {
  private readonly run: OperationRunner

  constructor(
    readonly client: RedisClient,
    private readonly prefix: string,
    run?: OperationRunner,
  ) {
    this.run = run ?? ((op, keys, args) => runScript(client, op.script, keys, args))
  }

  acquire(resources: readonly string[], value: string, ttl: number, reserve: bigint): Promise<unknown> {
    const args = reserve === 1n ? [value, ttl] : [value, ttl, reserve.toString()]
    return this.run(ACQUIRE, keysOf(this.prefix, resources, true), args)
  }

  canTransfer(): boolean {
    return true
  }

  transfer(
    resources: readonly string[],
    oldValue: string,
    newValue: string,
    ttl: number,
    ceiling: bigint,
  ): Promise<unknown> {
    const keys = keysOf(this.prefix, resources, true)
    // Batched for later: the successor starts running before the transfer is even written.
    return this.run(TRANSFER, keys, [oldValue, newValue, ttl, ceiling.toString()], true)
  }

  async raise(resources: readonly string[], ceiling: bigint): Promise<void> {
    const keys = resources.map((r) => fenceKey(this.prefix, r))
    await this.run(RAISE, keys, [ceiling.toString()], true)
  }

  extend(resources: readonly string[], value: string, ttl: number): Promise<unknown> {
    return this.run(EXTEND, keysOf(this.prefix, resources, false), [value, ttl])
  }

  release(resources: readonly string[], value: string): Promise<unknown> {
    return this.run(RELEASE, keysOf(this.prefix, resources, false), [value])
  }
}
