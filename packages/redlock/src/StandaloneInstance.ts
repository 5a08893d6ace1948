import { type RedisClient, runScript, type ScriptArg } from '@org/redis-core'
import type { AcquireRequest, Instance, TransferRequest } from './Instance.js'
import { fenceKey, lockKey, queueKeys } from './keys.js'
import { HAND_OVER_TTL } from './options.js'
import { ACQUIRE } from './scripts/acquire.js'
import { EXTEND } from './scripts/extend.js'
import { FAST_ACQUIRE } from './scripts/fastAcquire.js'
import { FAST_RELEASE } from './scripts/fastRelease.js'
import { LEAVE } from './scripts/leave.js'
import type { Operation } from './scripts/Operation.js'
import { PASS } from './scripts/pass.js'
import { RAISE } from './scripts/raise.js'
import { RELEASE } from './scripts/release.js'
import { RENEW } from './scripts/renew.js'
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

/**
 * The key lists an operation takes, for one list of resources, each built on its first use: a lock that only ever
 * takes the fast path (`fastPath.ts`) builds none of the queue-wide lists.
 */
class KeyLists {
  #locks: string[] | undefined
  #all: string[] | undefined
  #queued: string[] | undefined
  #fast: string[] | undefined
  #fastRelease: string[] | undefined

  constructor(
    readonly prefix: string,
    readonly resources: readonly string[],
  ) {}

  /** The lock keys. */
  get locks(): string[] {
    this.#locks ??= this.resources.map((r) => lockKey(this.prefix, r))
    return this.#locks
  }

  /** Lock keys, fencing counters, queues, leases, ticket counters (acquire, transfer, release, pass, leave). */
  get all(): string[] {
    this.#all ??= [...this.locks, ...this.resources.map((r) => fenceKey(this.prefix, r)), ...this.#queues()]
    return this.#all
  }

  /** Lock keys, queues, leases, ticket counters (renew). */
  get queued(): string[] {
    this.#queued ??= [...this.locks, ...this.#queues()]
    return this.#queued
  }

  /** The first resource's lock key, fencing counter and queue (fast acquire). */
  get fast(): string[] {
    const r = this.resources[0]!
    this.#fast ??= [this.locks[0]!, fenceKey(this.prefix, r), queueKeys(this.prefix, r)[0]]
    return this.#fast
  }

  /** The first resource's lock key and queue (fast release). */
  get fastRelease(): string[] {
    this.#fastRelease ??= [this.fast[0]!, this.fast[2]!]
    return this.#fastRelease
  }

  /** Every resource's queue, then every one's leases, then every one's ticket counter. */
  #queues(): string[] {
    const n = this.resources.length
    const queues: string[] = new Array(3 * n)
    for (let i = 0; i < n; i++) {
      const [queue, leases, tickets] = queueKeys(this.prefix, this.resources[i]!)
      queues[i] = queue
      queues[n + i] = leases
      queues[2 * n + i] = tickets
    }
    return queues
  }
}

/** The keys of the resources asked for last: an operation asks every instance in turn with the same resources. */
let last: KeyLists | undefined

/** The keys of the resources, built once per operation. */
function keysOf(prefix: string, resources: readonly string[]): KeyLists {
  // Resource arrays are frozen copies, so the same array always means the same keys.
  if (last?.resources !== resources || last.prefix !== prefix) last = new KeyLists(prefix, resources)
  return last
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

  acquire(request: AcquireRequest, fast = false): Promise<unknown> {
    const { resources, value, ttl, reserve, lease, ticket, waiter, grant } = request
    if (fast) return this.run(FAST_ACQUIRE, keysOf(this.prefix, resources).fast, [value, ttl])
    const reserved = reserve === 1n ? '1' : reserve.toString()
    // The uncontended first attempt sends four arguments; the waiter id only when it is not the value or a grant
    // value follows.
    let args: ScriptArg[]
    if (grant !== undefined) args = [value, ttl, reserved, lease, ticket, waiter, grant]
    else if (waiter === value) args = [value, ttl, reserved, lease]
    else args = [value, ttl, reserved, lease, ticket, waiter]
    return this.run(ACQUIRE, keysOf(this.prefix, resources).all, args)
  }

  canTransfer(): boolean {
    return true
  }

  transfer(request: TransferRequest): Promise<unknown> {
    const { resources, oldValue, newValue, ttl, ceiling, successor, oldWaiter, inbox } = request
    const keys = keysOf(this.prefix, resources).all
    // Batched for later: the successor starts running before the transfer is even written.
    const args = [oldValue, newValue, ttl, ceiling.toString(), successor, HAND_OVER_TTL, oldWaiter, inbox]
    return this.run(TRANSFER, keys, args, true)
  }

  async raise(resources: readonly string[], ceiling: bigint): Promise<void> {
    const keys = resources.map((r) => fenceKey(this.prefix, r))
    await this.run(RAISE, keys, [ceiling.toString()], true)
  }

  extend(resources: readonly string[], value: string, ttl: number): Promise<unknown> {
    return this.run(EXTEND, keysOf(this.prefix, resources).locks, [value, ttl])
  }

  release(resources: readonly string[], value: string, waiter: string, fast = false): Promise<unknown> {
    if (fast) return this.run(FAST_RELEASE, keysOf(this.prefix, resources).fastRelease, [value])
    const args = waiter === value ? [value, HAND_OVER_TTL] : [value, HAND_OVER_TTL, waiter]
    return this.run(RELEASE, keysOf(this.prefix, resources).all, args)
  }

  renew(resources: readonly string[], waiter: string, ticket: number, lease: number, grant?: string): Promise<unknown> {
    const args = grant === undefined ? [waiter, ticket, lease] : [waiter, ticket, lease, grant]
    return this.run(RENEW, keysOf(this.prefix, resources).queued, args)
  }

  pass(resources: readonly string[], value: string, waiter: string, target: string): Promise<unknown> {
    return this.run(PASS, keysOf(this.prefix, resources).all, [value, waiter, target, HAND_OVER_TTL])
  }

  leave(resources: readonly string[], waiter: string): Promise<unknown> {
    return this.run(LEAVE, keysOf(this.prefix, resources).all, [waiter, HAND_OVER_TTL])
  }
}
