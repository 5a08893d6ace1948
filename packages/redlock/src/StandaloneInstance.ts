import type { Instance } from './Instance.js'
import { fenceKey, lockKey } from './keys.js'
import type { RedisClient } from './RedisClient.js'
import { asIs, luaScript, runScript } from './runScript.js'
import type { BatchOp } from './ScriptBatcher.js'
import { ACQUIRE, EXTEND, OPS, RAISE, RELEASE, TRANSFER } from './scripts.js'

const acquireOp: BatchOp = { code: OPS.acquire, script: luaScript(ACQUIRE) }
const raiseOp: BatchOp = { code: OPS.raise, script: luaScript(RAISE) }
const extendOp: BatchOp = { code: OPS.extend, script: luaScript(EXTEND) }
const releaseOp: BatchOp = { code: OPS.release, script: luaScript(RELEASE) }
const transferOp: BatchOp = { code: OPS.transfer, script: luaScript(TRANSFER) }

/**
 * How scripts reach the server, resolving with the raw reply: batched for a plain client, one by one for a Cluster
 * (slots differ). `full` sends the script in full, after a NOSCRIPT.
 */
export type ScriptRunner = (
  op: BatchOp,
  keyCount: number,
  keysThenArgs: readonly (string | number)[],
  later?: boolean,
  full?: boolean,
) => Promise<unknown>

/** The keys of the resources asked for last: an operation asks every instance in turn with the same array. */
let last: { prefix: string; resources: readonly string[]; keys: readonly string[] } | undefined

/** Lock keys, then (when `fences`) their fencing counters, then room for the args the caller appends. */
function keysOf(prefix: string, resources: readonly string[], fences: boolean): (string | number)[] {
  const n = resources.length
  if (last?.resources !== resources || last.prefix !== prefix) {
    // Resource arrays are frozen copies, so the same array always means the same keys.
    const keys: string[] = new Array(2 * n)
    for (let i = 0; i < n; i++) {
      keys[i] = lockKey(prefix, resources[i]!)
      keys[n + i] = fenceKey(prefix, resources[i]!)
    }
    last = { prefix, resources, keys }
  }
  return last.keys.slice(0, fences ? 2 * n : n)
}

/** One Redis master: every operation on all resources is a single atomic script. */
export class StandaloneInstance implements Instance {
  private readonly run: ScriptRunner

  constructor(
    readonly client: RedisClient,
    private readonly prefix: string,
    run?: ScriptRunner,
  ) {
    this.run = run ?? ((op, keyCount, keysThenArgs) => runScript(client, op.script, keyCount, keysThenArgs, asIs))
  }

  acquire(resources: readonly string[], value: string, ttl: number, reserve: bigint, full?: boolean): Promise<unknown> {
    const flat = keysOf(this.prefix, resources, true)
    const keyCount = flat.length
    if (reserve === 1n) flat.push(value, ttl)
    else flat.push(value, ttl, reserve.toString())
    return this.run(acquireOp, keyCount, flat, false, full)
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
    const flat = keysOf(this.prefix, resources, true)
    const keyCount = flat.length
    flat.push(oldValue, newValue, ttl, ceiling.toString())
    // Batched for later: the successor starts running before the transfer is even written.
    return this.run(transferOp, keyCount, flat, true)
  }

  async raise(resources: readonly string[], ceiling: bigint): Promise<void> {
    const flat = resources.map((r): string | number => fenceKey(this.prefix, r))
    flat.push(ceiling.toString())
    // Through the batch, which sends a script again by itself on NOSCRIPT: this rare second round has no caller
    // that would.
    await this.run(raiseOp, resources.length, flat, true)
  }

  extend(resources: readonly string[], value: string, ttl: number, full?: boolean): Promise<unknown> {
    const flat = keysOf(this.prefix, resources, false)
    flat.push(value, ttl)
    return this.run(extendOp, resources.length, flat, false, full)
  }

  release(resources: readonly string[], value: string, full?: boolean): Promise<unknown> {
    const flat = keysOf(this.prefix, resources, false)
    flat.push(value)
    return this.run(releaseOp, resources.length, flat, false, full)
  }
}
