import { randomUUID } from 'node:crypto'
import { assertKnownKeys, duplicateClient, type RedisClient, runScript } from '@org/redis-core'
import { DuplicateProviderError, RegistryClosedError, ServiceChangedError, UnknownServiceError } from './errors.js'
import type { HandleContext } from './HandleContext.js'
import { heartbeat } from './heartbeat.js'
import { type ServiceKeys, serviceKeys, servicesIndexKey } from './keys.js'
import {
  type RegistryOptions,
  type ResolvedOptions,
  resolveOptions,
  validateListener,
  validateName,
  validateProviderInput,
  validateService,
} from './options.js'
import { ProviderHandle } from './ProviderHandle.js'
import { byId, decodeRecord, encodeRecord } from './records.js'
import { Subscriber } from './Subscriber.js'
import { LIST, REGISTER, SET_SERVICE_IF, SWEEP } from './scripts.js'
import type {
  ProviderInfo,
  ProviderInput,
  RegisterServiceOptions,
  ServiceDefinition,
  ServiceInput,
  WatchListener,
} from './types.js'
import { Watch } from './Watch.js'

function handleKey(service: string, id: string): string {
  return `${service}\n${id}`
}

/**
 * Services and their providers in Redis. Providers registered here are heartbeated by this registry; a provider is
 * alive while its last heartbeat, by the Redis clock, is younger than its `ttlMs`.
 */
export class Registry {
  /** This registry's id: it marks the providers it holds, so no other registry can take a live one's id. */
  readonly instanceId = randomUUID()
  readonly #redis: RedisClient
  readonly #options: ResolvedOptions
  /** `service\nid` -> handle of the providers this registry holds. */
  readonly #handles = new Map<string, ProviderHandle>()
  /** Definitions of the services registered here, written again whenever Redis lost them. */
  readonly #ownedServices = new Map<string, string>()
  readonly #watches = new Set<Watch>()
  readonly #contexts = new Map<string, HandleContext>()
  #subscriber: Subscriber | undefined
  #timer: NodeJS.Timeout | undefined
  #closed = false

  /** Takes an ioredis `Redis` or `Cluster` client, which it uses but never closes. */
  constructor(redis: RedisClient, options: RegistryOptions = {}) {
    this.#options = resolveOptions(redis, options)
    this.#redis = redis
  }

  /** The options in force, defaults filled in. */
  get options(): Readonly<Omit<ResolvedOptions, 'subscriber' | 'onError'>> {
    const { namespace, heartbeatMs, ttlMs, resyncMs } = this.#options
    return { namespace, heartbeatMs, ttlMs, resyncMs }
  }

  /**
   * Registers (or replaces) a service definition; this registry writes it again if Redis ever loses it. With
   * `replacing`, only while the stored definition is still that one (compare-and-set), else `ServiceChangedError`.
   */
  async registerService(input: ServiceInput, options: RegisterServiceOptions = {}): Promise<ServiceDefinition> {
    const definition = validateService(input)
    const replacing = checkReplacing(options)
    this.#assertOpen()
    const json = JSON.stringify(definition)
    const key = this.#keys(definition.name).service
    if (replacing === undefined) await this.#redis.set(key, json)
    else {
      // A definition read back with getService stringifies to the stored text: JSON keeps the key order it read.
      const expected = replacing === null ? '' : JSON.stringify(replacing)
      const reply = await runScript(this.#redis, SET_SERVICE_IF, [key], [json, expected])
      if (reply !== 1) {
        const now = String(reply)
        throw new ServiceChangedError(definition.name, now === '' ? undefined : (JSON.parse(now) as ServiceDefinition))
      }
    }
    await this.#redis.sadd(servicesIndexKey(this.#options.namespace), definition.name)
    this.#ownedServices.set(definition.name, json)
    this.#startHeartbeats()
    return definition
  }

  /** The definition of a service; UnknownServiceError when it is not registered. */
  async getService(name: string): Promise<ServiceDefinition> {
    validateName(name, 'service')
    this.#assertOpen()
    const json = await this.#redis.get(this.#keys(name).service)
    if (json === null) throw new UnknownServiceError(name)
    return JSON.parse(json) as ServiceDefinition
  }

  /** Every registered service, sorted by name. */
  async listServices(): Promise<ServiceDefinition[]> {
    this.#assertOpen()
    const names = await this.#redis.smembers(servicesIndexKey(this.#options.namespace))
    // One GET each: in a Cluster the definitions live in as many slots as there are services.
    const found = await Promise.all(names.map((name) => this.#redis.get(this.#keys(name).service)))
    const definitions = found.flatMap((json) => (json === null ? [] : [JSON.parse(json) as ServiceDefinition]))
    return definitions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  /**
   * Registers a provider of a registered service and heartbeats it from now on. Throws UnknownServiceError, or
   * DuplicateProviderError when the id is held by a live provider (of this or another registry).
   */
  async registerProvider(service: string, input?: ProviderInput): Promise<ProviderHandle> {
    validateName(service, 'service')
    const { id = randomUUID(), weight, metadata } = validateProviderInput(input)
    this.#assertOpen()
    const key = handleKey(service, id)
    if (this.#handles.has(key)) throw new DuplicateProviderError(service, id)
    const context = this.#handleContext(service)
    const keys = context.keys
    const info: ProviderInfo = { id, service, weight, metadata }
    const handle = new ProviderHandle(context, info)
    // Claimed before the round trip, so a concurrent second registration of the same id fails here too.
    this.#handles.set(key, handle)
    let result: string
    try {
      result = await runScript<string>(
        this.#redis,
        REGISTER,
        [keys.alive, keys.providers, keys.owners, keys.service],
        [id, this.instanceId, encodeRecord(info), this.#options.ttlMs, keys.channel],
      )
    } catch (err) {
      this.#handles.delete(key)
      throw err
    }
    if (result !== 'OK') {
      this.#handles.delete(key)
      throw result === 'NO_SERVICE' ? new UnknownServiceError(service) : new DuplicateProviderError(service, id)
    }
    this.#startHeartbeats()
    return handle
  }

  /** The live providers of a service, sorted by id (none for an unknown service). Removes expired ones it sees. */
  async listProviders(service: string): Promise<ProviderInfo[]> {
    validateName(service, 'service')
    this.#assertOpen()
    const [, live] = await this.#list(this.#keys(service))
    return byId(live.map(decodeRecord))
  }

  /**
   * Watches a service's live providers. The listener hears the current providers once the first read is done
   * (when there are any), then every change; never the same state twice in a row.
   */
  watch(service: string, listener: WatchListener): Watch {
    validateName(service, 'service')
    validateListener(listener)
    this.#assertOpen()
    const keys = this.#keys(service)
    const watch = new Watch(
      {
        service,
        channel: keys.channel,
        heartbeatMs: this.#options.heartbeatMs,
        resyncMs: this.#options.resyncMs,
        subscriber: this.#getSubscriber(),
        list: () => this.#list(keys),
        sweep: () => runScript<string[]>(this.#redis, SWEEP, [keys.alive, keys.providers, keys.owners], [keys.channel]),
        onError: this.#options.onError,
        onClose: (w) => this.#watches.delete(w),
      },
      listener,
    )
    this.#watches.add(watch)
    return watch
  }

  /** Stops heartbeats and watches, and deregisters every provider of this registry (watchers hear it at once). */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearTimeout(this.#timer)
    await Promise.allSettled([...this.#watches].map((w) => w.close()))
    await Promise.allSettled([...this.#handles.values()].map((h) => h.deregister()))
    this.#subscriber?.close()
  }

  #handleContext(service: string): HandleContext {
    let context = this.#contexts.get(service)
    if (!context) {
      context = {
        redis: this.#redis,
        keys: this.#keys(service),
        owner: this.instanceId,
        ttlMs: this.#options.ttlMs,
        release: (h) => {
          const key = handleKey(h.service, h.id)
          if (this.#handles.get(key) === h) this.#handles.delete(key)
        },
      }
      this.#contexts.set(service, context)
    }
    return context
  }

  #keys(service: string): ServiceKeys {
    return serviceKeys(this.#options.namespace, service)
  }

  #list(keys: ServiceKeys): Promise<[string[], string[]]> {
    return runScript(this.#redis, LIST, [keys.alive, keys.providers, keys.owners], [keys.channel])
  }

  #getSubscriber(): Subscriber {
    if (!this.#subscriber) {
      const given = this.#options.subscriber
      this.#subscriber = new Subscriber(given ?? duplicateClient(this.#redis), given === undefined)
    }
    return this.#subscriber
  }

  #assertOpen(): void {
    if (this.#closed) throw new RegistryClosedError('the registry is closed')
  }

  #startHeartbeats(): void {
    if (this.#timer || this.#closed) return
    const loop = async () => {
      const started = performance.now()
      await this.#beat().catch((err: Error) => this.#closed || this.#options.onError(err))
      if (this.#closed) return
      // Start to start, so a slow beat does not stretch the period the ttl was chosen for.
      this.#timer = setTimeout(loop, Math.max(0, this.#options.heartbeatMs - (performance.now() - started)))
      this.#timer.unref()
    }
    this.#timer = setTimeout(loop, this.#options.heartbeatMs)
    this.#timer.unref()
  }

  /**
   * One heartbeat of every provider held here (as few script calls as possible), and the owned service definitions
   * written again when Redis shows signs of data loss: the services index is gone, or a provider was missing.
   */
  async #beat(): Promise<void> {
    const byService = new Map<string, ProviderHandle[]>()
    for (const handle of this.#handles.values()) {
      const group = byService.get(handle.service)
      if (group) group.push(handle)
      else byService.set(handle.service, [handle])
    }
    const groups = [...byService].map(([service, handles]) => ({ ctx: this.#handleContext(service), handles }))
    const index = servicesIndexKey(this.#options.namespace)
    const [{ failures, missing }, indexExists] = await Promise.all([
      heartbeat(this.#redis, groups),
      this.#ownedServices.size > 0 ? this.#redis.exists(index).catch(() => 1) : 1,
    ])
    if (indexExists === 0 || missing > 0) {
      const restores = [...this.#ownedServices].flatMap(([name, json]) => [
        this.#redis.set(this.#keys(name).service, json, 'NX'),
        this.#redis.sadd(index, name),
      ])
      for (const outcome of await Promise.allSettled(restores)) {
        if (outcome.status === 'rejected') failures.push(outcome.reason as Error)
      }
    }
    if (this.#closed) return
    for (const failure of failures) this.#options.onError(failure)
  }
}

/** The `replacing` option, checked: undefined (not given), null or a definition object. */
function checkReplacing(options: RegisterServiceOptions): ServiceDefinition | null | undefined {
  if (options === null || typeof options !== 'object') throw new TypeError('registerService options must be an object')
  assertKnownKeys(options, ['replacing'], 'registerService options')
  const { replacing } = options
  if (replacing === undefined || replacing === null) return replacing
  if (typeof replacing !== 'object' || typeof replacing.name !== 'string') {
    throw new TypeError('options.replacing must be a definition read with getService, or null for none')
  }
  return replacing
}
