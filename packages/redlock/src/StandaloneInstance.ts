import { type AcquireReply, type Instance, parseAcquireReply } from './Instance.js'
import { fenceKey, lockKey } from './keys.js'
import type { RedisClient } from './RedisClient.js'
import { luaScript, runScript } from './runScript.js'
import type { BatchOp } from './ScriptBatcher.js'
import { ACQUIRE, EXTEND, OPS, RAISE, RELEASE, TRANSFER } from './scripts.js'

const acquireOp: BatchOp = { code: OPS.acquire, script: luaScript(ACQUIRE) }
const raiseOp: BatchOp = { code: OPS.raise, script: luaScript(RAISE) }
const extendOp: BatchOp = { code: OPS.extend, script: luaScript(EXTEND) }
const releaseOp: BatchOp = { code: OPS.release, script: luaScript(RELEASE) }
const transferOp: BatchOp = { code: OPS.transfer, script: luaScript(TRANSFER) }

/** How scripts reach the server: batched for a plain client, one by one for a Cluster (slots differ). */
export type ScriptRunner = (
  op: BatchOp,
  keys: readonly string[],
  args: readonly (string | number)[],
  later?: boolean,
) => Promise<unknown>

/** One Redis master: every operation on all resources is a single atomic script. */
export class StandaloneInstance implements Instance {
  private readonly run: ScriptRunner

  constructor(
    readonly client: RedisClient,
    private readonly prefix: string,
    run?: ScriptRunner,
  ) {
    this.run = run ?? ((op, keys, args) => runScript(client, op.script, keys, args))
  }

  acquire(
    resources: readonly string[],
    value: string,
    ttl: number,
    candidate: bigint,
    ceiling: bigint,
  ): Promise<AcquireReply> {
    return this.run(acquireOp, this.#lockAndFenceKeys(resources), [
      value,
      ttl,
      candidate.toString(),
      ceiling.toString(),
    ]).then(parseAcquireReply)
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
  ): Promise<boolean> {
    const keys = this.#lockAndFenceKeys(resources)
    // Batched for later: the successor starts running before the transfer is even written.
    const sent = this.run(transferOp, keys, [oldValue, newValue, ttl, ceiling.toString()], true)
    return sent.then((reply) => Number(reply) === 1)
  }

  #lockAndFenceKeys(resources: readonly string[]): string[] {
    const keys = resources.map((r) => lockKey(this.prefix, r))
    for (const r of resources) keys.push(fenceKey(this.prefix, r))
    return keys
  }

  async raise(resources: readonly string[], ceiling: bigint): Promise<void> {
    const keys = resources.map((r) => fenceKey(this.prefix, r))
    await this.run(raiseOp, keys, [ceiling.toString()])
  }

  extend(resources: readonly string[], value: string, ttl: number): Promise<boolean> {
    const keys = resources.map((r) => lockKey(this.prefix, r))
    return this.run(extendOp, keys, [value, ttl]).then((reply) => Number(reply) === 1)
  }

  release(resources: readonly string[], value: string, announce: boolean): Promise<number> {
    const keys = resources.map((r) => lockKey(this.prefix, r))
    return this.run(releaseOp, keys, [value, announce ? '1' : '0']).then(Number)
  }
}
