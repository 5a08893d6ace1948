import { runScript } from '@org/redis-core'
import { ProviderLostError, RegistryClosedError } from './errors.js'
import { type BeatStatus, type HandleContext, type HeldProvider, settleBeat } from './HandleContext.js'
import { heartbeat } from './heartbeat.js'
import { validateProviderUpdate } from './options.js'
import { encodeRecord } from './records.js'
import { DEREGISTER, UPSERT } from './scripts.js'
import type { ProviderInfo, ProviderUpdate } from './types.js'

type State = 'active' | 'deregistered' | 'lost'

/** A provider registered by this process. Its registry heartbeats it until `deregister()` or `registry.close()`. */
export class ProviderHandle implements HeldProvider {
  /** The provider id, unique within its service. */
  readonly id: string
  /** The service it provides. */
  readonly service: string
  readonly #ctx: HandleContext
  #info: ProviderInfo
  #record: string
  #state: State = 'active'

  /** Made by `Registry.registerProvider`, after the provider is in Redis. */
  constructor(ctx: HandleContext, info: ProviderInfo) {
    this.#ctx = ctx
    this.id = info.id
    this.service = info.service
    this.#info = info
    this.#record = encodeRecord(info)
  }

  /** The provider as watchers see it. */
  get info(): ProviderInfo {
    return { ...this.#info, metadata: { ...this.#info.metadata } }
  }

  /** Its current weight. */
  get weight(): number {
    return this.#info.weight
  }

  /** Its current metadata. */
  get metadata(): Record<string, unknown> {
    return { ...this.#info.metadata }
  }

  /** True until deregistered, closed, or lost to another registry. */
  get active(): boolean {
    return this.#state === 'active'
  }

  /** Changes weight and/or metadata; watchers hear `updated`. Counts as a heartbeat. */
  async update(update: ProviderUpdate): Promise<void> {
    const valid = validateProviderUpdate(update)
    this.#assertActive()
    const info: ProviderInfo = { ...this.#info, ...valid }
    const record = encodeRecord(info)
    await this.#upsert(record, 'update')
    this.#info = info
    this.#record = record
  }

  /**
   * Heartbeats now (the registry does it every `heartbeatMs` by itself). Restores the provider when Redis lost it.
   * Throws ProviderLostError when another registry took the id after this one was judged dead.
   */
  async heartbeat(): Promise<void> {
    this.#assertActive()
    const { failures } = await heartbeat(this.#ctx.redis, [{ ctx: this.#ctx, handles: [this] }])
    const [failure] = failures
    if (failure) throw failure
  }

  /** @internal Acts on a heartbeat's outcome: restores a provider Redis lost, gives up one another registry took. */
  async [settleBeat](status: BeatStatus): Promise<void> {
    if (status === 'LOST') this.#lose()
    if (status === 'MISSING' && this.#state === 'active') await this.#upsert(this.#record, 'restore')
  }

  /** Removes the provider at once; watchers hear `removed` with reason `deregistered`. Idempotent. */
  async deregister(): Promise<void> {
    if (this.#state !== 'active') return
    this.#release('deregistered')
    const { keys, owner } = this.#ctx
    await runScript(
      this.#ctx.redis,
      DEREGISTER,
      [keys.alive, keys.providers, keys.owners],
      [this.id, owner, keys.channel],
    )
  }

  async #upsert(record: string, mode: 'update' | 'restore'): Promise<void> {
    const { keys, owner, ttlMs, redis } = this.#ctx
    const result = await runScript<string>(
      redis,
      UPSERT,
      [keys.alive, keys.providers, keys.owners],
      [this.id, owner, record, ttlMs, keys.channel, mode],
    )
    if (result === 'LOST') this.#lose()
  }

  #lose(): never {
    if (this.#state === 'active') this.#release('lost')
    throw new ProviderLostError(this.service, this.id)
  }

  #assertActive(): void {
    if (this.#state === 'lost') throw new ProviderLostError(this.service, this.id)
    if (this.#state === 'deregistered') {
      throw new RegistryClosedError(`provider "${this.id}" of service "${this.service}" was deregistered`)
    }
  }

  #release(state: State): void {
    this.#state = state
    this.#ctx.release(this)
  }
}
