import { type AcquireReply, type Instance, parseAcquireReply } from './Instance.js'
import { fenceKey, lockKey } from './keys.js'
import type { RedisClient } from './RedisClient.js'
import { luaScript, runScript } from './runScript.js'
import { ACQUIRE, EXTEND, RAISE, RELEASE } from './scripts.js'

const acquireScript = luaScript(ACQUIRE)
const raiseScript = luaScript(RAISE)
const extendScript = luaScript(EXTEND)
const releaseScript = luaScript(RELEASE)

/** One Redis master: every operation on all resources is a single atomic script. */
export class StandaloneInstance implements Instance {
  constructor(
    readonly client: RedisClient,
    private readonly prefix: string,
  ) {}

  async acquire(resources: readonly string[], value: string, ttl: number, candidate: bigint): Promise<AcquireReply> {
    const keys = resources.map((r) => lockKey(this.prefix, r))
    for (const r of resources) keys.push(fenceKey(this.prefix, r))
    return parseAcquireReply(await runScript(this.client, acquireScript, keys, [value, ttl, candidate.toString()]))
  }

  async raise(resources: readonly string[], token: bigint): Promise<void> {
    const keys = resources.map((r) => fenceKey(this.prefix, r))
    await runScript(this.client, raiseScript, keys, [token.toString()])
  }

  async extend(resources: readonly string[], value: string, ttl: number): Promise<boolean> {
    const keys = resources.map((r) => lockKey(this.prefix, r))
    return Number(await runScript(this.client, extendScript, keys, [value, ttl])) === 1
  }

  async release(resources: readonly string[], value: string, announce: boolean): Promise<number> {
    const keys = resources.map((r) => lockKey(this.prefix, r))
    return Number(await runScript(this.client, releaseScript, keys, [value, announce ? '1' : '0']))
  }
}
