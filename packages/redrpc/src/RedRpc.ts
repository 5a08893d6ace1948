import { EventEmitter } from 'node:events'
import { createBalancer, type LoadBalancer, registerPolicy } from '@org/balancer'
import type { Redlock } from '@org/redlock'
import {
  Registry,
  UnknownServiceError as RegistryUnknownServiceError,
  ServiceChangedError,
  type Watch,
} from '@org/registry'
import { TransportClient } from '@org/transport'
import type { Cluster, Redis } from 'ioredis'
import {
  type CallSite,
  ClosedError,
  CloseTimeoutError,
  RedRpcError,
  ServiceConflictError,
  ServiceInUseError,
  UnknownServiceError,
} from './errors.js'
import type { RedRpcEvents } from './events.js'
import { HookSet, type RedRpcHooks } from './hooks/index.js'
import { LocalProvider } from './LocalProvider.js'
import { declaredResources } from './lockedRun.js'
import {
  type MethodSettings,
  type NormalizedMethod,
  normalizeMethods,
  type SchemaTypedMethods,
  type ServiceMethods,
} from './methods.js'
import { type Observability, startObservability } from './observability.js'
import {
  assertInteger,
  assertName,
  type CallDefaults,
  type CallOptions,
  describe,
  type RedRpcOptions,
  type ResolvedOptions,
  resolveCallDefaults,
  resolveOptions,
} from './options.js'
import { RedisHealth } from './redisHealth.js'
import { ServiceClient } from './ServiceClient.js'
import { createServiceInstance, type ServiceInstance } from './ServiceInstance.js'
import type { StatsSnapshot } from './Stats.js'
import { definitionDifferences } from './serviceConflict.js'
import { writeMethodInfos } from './serviceMetadata.js'
import { unregisterService } from './serviceRemoval.js'
import type { StandardSchemaV1 } from './standardSchema.js'
import { resolveSummaryMs } from './summary/options.js'
import { SummaryPublisher } from './summary/SummaryPublisher.js'
import { type WaitForServicesOptions, waitForServices } from './waitForServices.js'
import { wireCodec } from './wireCodec.js'
import { withinTime } from './withinTime.js'

/** What `registerService` returns: pass it to `getInstance` for a handle typed by the service's methods. */
export interface ServiceRef<T extends ServiceMethods = ServiceMethods> {
  readonly name: string
  /** Type-only: the methods, for `getInstance(ref)` typing. */
  readonly __methods?: T
}

/** Options of `registerService`. */
export interface ServiceOptions {
  /** Free text shown by `redrpc services`. Default `'1.0.0'`. */
  version?: string
  /** JSON data callers can read from the registry. */
  metadata?: Record<string, unknown>
  /** Service-wide defaults for methods that set none; published with the service, so every caller applies them. */
  defaults?: Pick<MethodSettings, 'timeoutMs' | 'retries'>
}

/** Options of `registerProvider`. */
export interface ProviderOptions {
  /** How many provider instances to run in this process (ids `<name>-1` ... `<name>-<count>`). */
  count: number
  /** The service they serve; required only when this RedRpc registered several. */
  service?: string
  /** Relative share of traffic for weight-aware policies (default 100). */
  weight?: number
  /** Running handlers per provider (default: the RedRpc's `concurrency`). */
  concurrency?: number
}

/** Options of `registerLbPolicy`. */
export interface LbPolicyOptions {
  /** Apply to this service only; without it, to every service that has no policy of its own. */
  service?: string
  /** Options passed to the policy's factory. */
  options?: Record<string, unknown>
  /** A custom policy: registered in `@org/balancer` under the given name, then used. */
  factory?: (options?: Record<string, unknown>) => LoadBalancer
}

type BalancerFactory = () => LoadBalancer

/**
 * The facade: register services and their providers, choose load-balancing policies, and call services served by
 * this or any other process sharing the same Redis. Lock-protected methods run under the given Redlock.
 */
export class RedRpc extends EventEmitter<RedRpcEvents> {
  readonly #rlock: Redlock | null
  readonly #redis: Redis | Cluster
  readonly #options: ResolvedOptions
  readonly #registry: Registry
  /** Whether the Redis is reachable: registrations and calls fail at once, typed, when it is known not to be. */
  readonly #health: RedisHealth
  #transport: TransportClient | undefined
  #closed = false
  #closing: Promise<void> | undefined
  readonly #services = new Map<string, readonly NormalizedMethod[]>()
  readonly #providers: LocalProvider[] = []
  readonly #providerCounters = new Map<string, number>()
  readonly #adoptionWatches = new Map<string, Watch>()
  readonly #clients = new Map<string, ServiceClient>()
  #defaultPolicy: BalancerFactory
  readonly #policies = new Map<string, BalancerFactory>()
  /** Hooks around calls and handler runs (`use`); telemetry is built on them. */
  readonly #hooks = new HookSet()
  /** Logging and telemetry (both off by default). */
  readonly #observed: Observability
  /** Each local provider's live summary in Redis, for `redrpc top` and `redrpc dashboard`. */
  readonly #summary: SummaryPublisher

  /**
   * @param rlock the Redlock that guards lock-protected methods (`null` in a process that only calls)
   * @param redis ioredis clients (`Redis` or `Cluster`) of the Redis that carries the registry and the calls; the
   *   first one is used
   * @param options namespace, heartbeat, default policy and caller defaults
   * @throws {TypeError} `rlock` is neither a Redlock nor null, `redis` is not a non-empty array of ioredis clients,
   *   or an option has the wrong type
   * @throws {RangeError} a numeric option is out of range (e.g. `ttlMs` not above `heartbeatMs`)
   * @throws {UnknownPolicyError} `options.policy` names no known policy
   * @example
   * const redRpc = new RedRpc(rlock, [new Redis(6379)], { namespace: 'shop', call: { timeoutMs: 5_000 } })
   * const caller = new RedRpc(null, [new Redis(6379)]) // a process that only calls
   */
  constructor(rlock: Redlock | null, redis: readonly (Redis | Cluster)[], options?: RedRpcOptions) {
    super()
    if (rlock !== null && (typeof rlock !== 'object' || typeof (rlock as Partial<Redlock>).using !== 'function')) {
      throw new TypeError(`rlock must be a Redlock (or null in a process that only calls), got ${describe(rlock)}`)
    }
    if (!Array.isArray(redis) || redis.length === 0) {
      throw new TypeError(`redis must be a non-empty array of ioredis clients, got ${describe(redis)}`)
    }
    redis.forEach((client, i) => {
      if (!client || typeof (client as Partial<Redis>).duplicate !== 'function') {
        throw new TypeError(`redis[${i}] must be an ioredis client, got ${describe(client)}`)
      }
    })
    this.#rlock = rlock
    this.#redis = redis[0] as Redis | Cluster
    this.#options = resolveOptions(options)
    const summaryMs = resolveSummaryMs(options)
    const policy = this.#options.policy
    createBalancer(policy)
    this.#defaultPolicy = () => createBalancer(policy)
    // Before anything that emits: logging and metrics hear every event.
    this.#observed = startObservability(this.#options, this.#hooks)
    // Lost and recovered, each emitted once, as soon as the client says so (logging and metrics hear them too).
    this.#health = new RedisHealth(this.#redis, (change) =>
      change.event === 'connectionLost'
        ? this.#emit('connectionLost', change.payload)
        : this.#emit('connectionRecovered', change.payload),
    )
    this.#registry = new Registry(this.#redis, {
      namespace: this.#options.namespace,
      heartbeatMs: this.#options.heartbeatMs,
      ttlMs: this.#options.ttlMs,
      onError: (err) => this.#emit('warning', err),
    })
    this.#summary = new SummaryPublisher({
      redis: this.#redis,
      registry: this.#registry,
      namespace: this.#options.namespace,
      intervalMs: summaryMs,
      heartbeatMs: this.#options.heartbeatMs,
      ttlMs: this.#options.ttlMs,
      stats: () => this.stats(),
      providers: () => this.#providers,
    })
  }

  /**
   * Declares a service and its methods (a function, or `{ handler, lock?, idempotent?, timeoutMs?, retries? }`), and
   * publishes it in the registry so callers anywhere can find it. Fixed lock lists are checked against the Redlock's
   * declared resources now. A method may declare `params` / `result` Standard Schemas; its handler's params are then
   * typed by the schema's output.
   * @throws {TypeError} a bad name, a method that is not a function or `{ handler, ... }`, a `params`/`result` that is
   *   not a Standard Schema, a name already registered here, or a locked method without a Redlock
   * @throws {RangeError} a method's `timeoutMs`, `retries` or `lockTtlMs` out of range
   * @throws {UndeclaredResourceError} a fixed lock names a resource the Redlock does not declare
   * @throws {ClosedError} this RedRpc is closed
   * @example
   * const ref = await redRpc.registerService('test_service', {
   *   getResource: { lock: (p: { name: string }) => [p.name], handler: (p, ctx) => ctx.lock.fencingToken },
   *   ping: () => 'pong',
   * })
   */
  // T is left unconstrained and S inferred per method: that is what types a handler's params from its schema.
  async registerService<T, S = Record<string, never>>(
    name: string,
    methods: SchemaTypedMethods<S> & T,
    options: ServiceOptions = {},
  ): Promise<ServiceRef<T extends ServiceMethods ? T : ServiceMethods>> {
    this.#assertOpen()
    assertName(name, 'service name')
    if (this.#services.has(name)) throw new TypeError(`service '${name}' is already registered in this RedRpc`)
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object')
    const normalized = normalizeMethods(name, methods, declaredResources(this.#rlock), options.defaults)
    const locked = normalized.find((m) => m.resources)
    if (locked && !this.#rlock) {
      throw new TypeError(`method '${name}.${locked.name}' takes a lock: give RedRpc a Redlock instead of null`)
    }
    const draft = {
      version: options.version ?? '1.0.0',
      methods: normalized.map((m) => m.name),
      metadata: writeMethodInfos(options.metadata ?? {}, normalized),
    }
    // Another process (or this service before a restart) may have registered it: the same definition registers
    // again, another one is refused rather than silently replaced under its running providers and callers.
    // The check and the write are one compare-and-set: of two processes registering different definitions at once,
    // one is refused, never both written in turn.
    await this.#withRedis({ service: name }, async () => {
      let stored = await this.#registry.getService(name).catch((err: unknown) => {
        if (err instanceof RegistryUnknownServiceError) return undefined
        throw err
      })
      for (;;) {
        const differences = stored ? definitionDifferences(stored, draft) : []
        if (differences.length > 0) throw new ServiceConflictError(name, differences)
        try {
          await this.#registry.registerService({ name, ...draft }, { replacing: stored ?? null })
          return
        } catch (err) {
          if (!(err instanceof ServiceChangedError)) throw err
          stored = err.stored
        }
      }
    })
    this.#services.set(name, normalized)
    this.#clients.get(name)?.setSchemas(paramsSchemas(normalized))
    return { name }
  }

  /**
   * Removes a service from the registry: its definition and provider records, so `redrpc services` no longer lists it
   * and it may be registered again with another definition. Refused with `ServiceInUseError` while it has a live
   * provider (judged by Redis' clock, atomically with the removal), unless `force`; with `force`, this process' own
   * providers of it are stopped first (cleanly), and providers in other processes are dropped from the registry.
   * Resolves true when a definition was removed, false when there was none.
   * @throws {ServiceInUseError} the service has live providers and `force` is not set
   * @throws {TypeError} a bad name or options
   * @throws {ClosedError} this RedRpc is closed
   * @example
   * await redRpc.unregisterService('billing') // once its provider processes are gone
   */
  async unregisterService(name: string, options: { force?: boolean } = {}): Promise<boolean> {
    this.#assertOpen()
    assertName(name, 'service name')
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object')
    const force = options.force ?? false
    if (typeof force !== 'boolean') throw new TypeError(`options.force must be a boolean, got ${describe(force)}`)
    const local = this.#providers.filter((p) => p.service === name)
    if (local.length > 0) {
      if (!force)
        throw new ServiceInUseError(
          name,
          local.map((p) => p.id),
        )
      await this.#adoptionWatches.get(name)?.close()
      this.#adoptionWatches.delete(name)
      await Promise.allSettled(local.map((p) => p.stop()))
      this.#providers.splice(0, this.#providers.length, ...this.#providers.filter((p) => p.service !== name))
      await this.#summary.forget(local)
    }
    const { removed, live } = await this.#withRedis({ service: name }, () =>
      unregisterService(this.#redis, this.#options.namespace, name, force),
    )
    if (!removed && live.length > 0) throw new ServiceInUseError(name, live)
    this.#services.delete(name)
    this.#clients.get(name)?.setSchemas(new Map())
    return removed
  }

  /**
   * Starts `count` provider instances of a service registered here; returns their ids (`<name>-1`...).
   * @throws {TypeError} a bad name or options, or no `options.service` while several services are registered
   * @throws {RangeError} `count` or `concurrency` not an integer >= 1, or a negative `weight`
   * @throws {UnknownServiceError} the service is not registered in this RedRpc
   * @throws {ClosedError} this RedRpc is closed
   * @example
   * const ids = await redRpc.registerProvider('test_provider', { count: 3 }) // test_provider-1 .. -3
   */
  async registerProvider(name: string, options: ProviderOptions): Promise<string[]> {
    this.#assertOpen()
    assertName(name, 'provider name')
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`options must be an object like { count: 3 }, got ${describe(options)}`)
    }
    assertInteger(options.count, 'options.count', 1)
    if (options.concurrency !== undefined) assertInteger(options.concurrency, 'options.concurrency', 1)
    const weight = options.weight ?? 100
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
      throw new RangeError(`options.weight must be a finite number >= 0, got ${describe(weight)}`)
    }
    const service = this.#providedService(options.service)
    const methods = this.#summary.handlerTimes.timed(this.#services.get(service) as readonly NormalizedMethod[])
    const first = (this.#providerCounters.get(name) ?? 0) + 1
    this.#providerCounters.set(name, first - 1 + options.count)
    const ids = Array.from({ length: options.count }, (_, i) => `${name}-${first + i}`)
    const deps = {
      redis: this.#redis,
      registry: this.#registry,
      rlock: this.#rlock,
      namespace: this.#options.namespace,
      concurrency: options.concurrency ?? this.#options.concurrency,
      weight,
      codec: wireCodec,
      call: this.#nestedCaller,
      emit: this.#emit,
      hooks: this.#hooks,
    }
    const started = await this.#withRedis({ service }, () =>
      Promise.allSettled(ids.map((id) => LocalProvider.start(service, id, methods, deps))),
    )
    const providers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
    this.#providers.push(...providers)
    this.#summary.refresh()
    const failed = started.find((r) => r.status === 'rejected')
    if (failed) throw this.#health.wrap((failed as PromiseRejectedResult).reason, { service })
    if (this.#options.adoptOrphans) await this.#watchForOrphans(service)
    return ids
  }

  /**
   * Chooses the load-balancing policy: any `@org/balancer` name (case-insensitive), a custom one given by `factory`
   * (or registered with `@org/balancer`'s `registerPolicy`), or a ready `LoadBalancer`. Per service with `{ service }`.
   * @throws {UnknownPolicyError} the name is not a known policy (the message lists the known ones)
   * @throws {TypeError} neither a name nor a LoadBalancer, or bad options
   * @throws {ClosedError} this RedRpc is closed
   * @example
   * redRpc.registerLbPolicy('P2C', { service: 'accounts' })
   */
  registerLbPolicy(policy: string | LoadBalancer, options: LbPolicyOptions = {}): void {
    this.#assertOpen()
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object')
    if (options.service !== undefined) assertName(options.service, 'options.service')
    const factory = this.#policyFactory(policy, options)
    if (options.service === undefined) {
      this.#defaultPolicy = factory
      for (const [service, client] of this.#clients) {
        if (!this.#policies.has(service)) client.setBalancer(factory())
      }
    } else {
      this.#policies.set(options.service, factory)
      this.#clients.get(options.service)?.setBalancer(factory())
    }
  }

  #policyFactory(policy: string | LoadBalancer, options: LbPolicyOptions): BalancerFactory {
    if (policy !== null && typeof policy === 'object') {
      if (
        typeof policy.pick !== 'function' ||
        typeof policy.onStart !== 'function' ||
        typeof policy.onEnd !== 'function'
      ) {
        throw new TypeError('policy must be a policy name or a LoadBalancer with pick, onStart and onEnd')
      }
      return () => policy
    }
    if (typeof policy !== 'string' || policy === '') {
      throw new TypeError(`policy must be a policy name or a LoadBalancer, got ${describe(policy)}`)
    }
    if (options.factory !== undefined) {
      if (typeof options.factory !== 'function') throw new TypeError('options.factory must be a function')
      registerPolicy(policy, options.factory)
    }
    const policyOptions = options.options
    // Creating one now surfaces an unknown name (the error lists the known ones) at registration, not at the first call.
    createBalancer(policy, policyOptions)
    return () => createBalancer(policy, policyOptions)
  }

  /**
   * Registers hooks around every call made through this RedRpc (`call`) and every handler run by its providers
   * (`handle`), for auth, validation, caching, tracing...: `(ctx, next) => ...`, where `next()` goes on and resolves to
   * the result. Hooks run in registration order, the first outermost; registering none costs calls nothing. Returns
   * the function that removes them.
   * @throws {TypeError} `hooks` is not `{ call?, handle? }` of functions
   * @throws {ClosedError} this RedRpc is closed
   * @example
   * redRpc.use({
   *   call: (ctx, next) => { ctx.metadata.tenant = 'acme'; return next() },
   *   handle: (ctx, next) => { if (ctx.metadata.tenant !== 'acme') throw new Error('forbidden'); return next() },
   * })
   */
  use(hooks: RedRpcHooks): () => void {
    this.#assertOpen()
    return this.#hooks.add(hooks)
  }

  /**
   * A handle to call a service, here or in any process sharing the Redis; `options` sets this service's caller
   * defaults (timeout, retries, bulkhead, breaker). Pass the `ServiceRef` from `registerService` to get typed calls.
   * @throws {TypeError} a bad service name or options
   * @throws {RangeError} a caller default out of range
   * @throws {ClosedError} this RedRpc is closed
   * @example
   * const service = redRpc.getInstance('test_service')
   * const typed = redRpc.getInstance(await redRpc.registerService('s', { ping: () => 'pong' })) // api.ping(): string
   */
  getInstance<T extends ServiceMethods = ServiceMethods>(
    service: string | ServiceRef<T>,
    options?: CallDefaults,
  ): ServiceInstance<T> {
    this.#assertOpen()
    const name = typeof service === 'object' && service !== null ? service.name : service
    assertName(name, 'service')
    let client = this.#clients.get(name)
    if (!client) {
      const defaults = resolveCallDefaults(options, this.#options.call, 'options')
      const balancer = (this.#policies.get(name) ?? this.#defaultPolicy)()
      client = new ServiceClient(name, defaults, balancer, {
        registry: this.#registry,
        transport: () => this.#transportClient(),
        emit: this.#emit,
        listens: (event) => this.listenerCount(event) > 0,
        isClosed: () => this.#closed,
        health: this.#health,
        connectTimeoutMs: this.#options.connectTimeoutMs,
        hooks: this.#hooks,
      })
      const local = this.#services.get(name)
      if (local) client.setSchemas(paramsSchemas(local))
      this.#clients.set(name, client)
    } else if (options !== undefined) {
      client.setDefaults(resolveCallDefaults(options, this.#options.call, 'options'))
    }
    return createServiceInstance<T>(client)
  }

  /**
   * Resolves once every named service has at least one live provider as the registry sees it (the registry's watch
   * wakes it: no polling). Rejects with `WaitForServicesTimeoutError` (a `NoProviderError`) naming the services
   * still missing after `timeoutMs` (default: the `call.timeoutMs` default, 10,000 ms; `Infinity` waits until
   * `signal` aborts, which rejects with `CallAbortedError`). Bad input throws before anything reaches Redis.
   * @throws {TypeError} `services` is not an array of valid names, or bad options
   * @throws {RangeError} `timeoutMs` is not an integer >= 1 nor Infinity
   * @throws {WaitForServicesTimeoutError} `timeoutMs` passed; `missing` lists the services without a provider
   * @throws {CallAbortedError} `signal` aborted
   * @throws {ClosedError} this RedRpc is closed
   * @example
   * await caller.waitForServices(['test_service'], { timeoutMs: 30_000 })
   */
  async waitForServices(services: readonly string[], options: WaitForServicesOptions = {}): Promise<void> {
    this.#assertOpen()
    // Input is checked first (before Redis is touched); each service's wait checks the connection (ServiceClient).
    await waitForServices(services, options, this.#options.call.timeoutMs, (name) => this.#client(name)).catch(
      (err: unknown) => {
        throw this.#health.wrap(err)
      },
    )
  }

  /** Counters and p50/p99 latencies per service and provider, as the callers of this process saw them. */
  stats(): StatsSnapshot {
    const services: StatsSnapshot['services'] = {}
    for (const [name, client] of this.#clients) services[name] = client.stats()
    const served: StatsSnapshot['served'] = {}
    for (const p of this.#providers) {
      const { calls, errors, inFlight } = p.served
      served[p.id] = { calls, errors, inFlight }
    }
    return { services, served }
  }

  /** The registry this RedRpc uses (list services and providers, watch them). */
  get registry(): Registry {
    return this.#registry
  }

  /** Ids of the providers running in this process. */
  get localProviders(): string[] {
    return this.#providers.map((p) => p.id)
  }

  /**
   * Stops local providers (they leave the registry, finish running calls; queued ones stay for other providers),
   * stops watches and the transport. The ioredis clients and the Redlock stay open: they belong to the caller.
   * Always settles within `closeTimeoutMs` (default 5 s), also when Redis is gone; calling it again returns the same
   * promise. Later calls and registrations throw `ClosedError`.
   * @throws {CloseTimeoutError} `closeTimeoutMs` passed first; `pending` names the steps still running (they go on
   *   in the background until the clients are closed)
   * @example
   * await redRpc.close()
   * await rlock.quit()
   * for (const client of clients) await client.quit()
   */
  close(): Promise<void> {
    if (!this.#closing) {
      this.#closed = true
      const pending = new Set<string>()
      this.#closing = withinTime(this.#shutdown(pending), this.#options.closeTimeoutMs, () => {
        return new CloseTimeoutError(this.#options.closeTimeoutMs, [...pending])
      }).finally(() => {
        this.#health.close()
      })
    }
    return this.#closing
  }

  /** `await using redRpc = new RedRpc(...)` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  /** The steps of `close()`, in order; `pending` holds the names of those running, for a `CloseTimeoutError`. */
  async #shutdown(pending: Set<string>): Promise<void> {
    const step = async (name: string, run: () => Promise<unknown>) => {
      pending.add(name)
      await run().catch(() => {})
      pending.delete(name)
    }
    await step('summaries', () => this.#summary.close(this.#providers))
    const watches = [...this.#adoptionWatches.values()]
    await step('adoption watches', () => Promise.allSettled(watches.map((w) => w.close())))
    await Promise.all(this.#providers.map((p) => step(`provider ${p.id}`, () => p.stop())))
    await step('service watches', () => Promise.allSettled([...this.#clients.values()].map((c) => c.close())))
    await step('transport', async () => this.#transport?.close())
    await step('registry', () => this.#registry.close())
  }

  /**
   * Runs work that needs the Redis: waits for the connection (bounded by `connectTimeoutMs`, failing at once when
   * an attempt fails), and turns a failure of the connection into `RedisUnavailableError`.
   */
  async #withRedis<T>(site: CallSite, run: () => Promise<T>): Promise<T> {
    await this.#health.whenReady(this.#options.connectTimeoutMs, site)
    try {
      return await run()
    } catch (err) {
      throw this.#health.wrap(err, site)
    }
  }

  #providedService(service: string | undefined): string {
    if (service !== undefined) {
      assertName(service, 'options.service')
      if (!this.#services.has(service)) {
        throw new UnknownServiceError('register the service in this RedRpc before its providers', { service })
      }
      return service
    }
    const names = [...this.#services.keys()]
    if (names.length === 1) return names[0] as string
    if (names.length === 0) throw new UnknownServiceError('no service registered yet: call registerService() first')
    throw new TypeError(`options.service is required when several services are registered: ${names.join(', ')}`)
  }

  /** Watches a service this process provides, so that a provider that leaves has its inbox adopted here. */
  async #watchForOrphans(service: string): Promise<void> {
    if (this.#adoptionWatches.has(service)) return
    const watch = this.#registry.watch(service, (_providers, change) => {
      for (const gone of change.removed) void this.#adopt(service, gone.id)
    })
    this.#adoptionWatches.set(service, watch)
    await watch.ready
  }

  async #adopt(service: string, gone: string): Promise<void> {
    if (this.#closed) return
    const local = this.#providers.filter((p) => p.service === service)
    if (local.some((p) => p.id === gone)) return
    // Spread adoptions over local providers; concurrent adopters in other processes are fine (claims are atomic).
    const adopter = local[Math.floor(Math.random() * local.length)]
    if (!adopter) return
    try {
      await adopter.adoptOrphans(gone)
      this.#emit('adopted', { service, provider: gone, by: adopter.id })
    } catch (err) {
      this.#emit('warning', err instanceof Error ? err : new RedRpcError(String(err), { service, provider: gone }))
    }
  }

  /** The client of a service (made with the defaults when `getInstance` was never asked for it). */
  #client(name: string): ServiceClient {
    this.getInstance(name)
    return this.#clients.get(name) as ServiceClient
  }

  /** What a handler's `ctx.call` uses: this RedRpc's own callers. */
  readonly #nestedCaller = async (
    service: string,
    method: string,
    params: unknown,
    options: CallOptions,
  ): Promise<unknown> => this.getInstance(service).callApi(method, params, options)

  #transportClient(): TransportClient {
    if (!this.#transport) {
      this.#transport = new TransportClient(this.#redis, {
        namespace: this.#options.namespace,
        codec: wireCodec,
        timeoutMs: this.#options.call.timeoutMs,
        // The bulkhead of each service bounds calls; the transport must not queue or refuse below it.
        maxInFlight: 100_000,
        onError: (err) => this.#emit('warning', err),
      })
    }
    return this.#transport
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError()
  }

  readonly #emit = <K extends keyof RedRpcEvents>(event: K, ...args: RedRpcEvents[K]): void => {
    for (const tap of this.#observed.taps) {
      try {
        tap(event, args)
      } catch {
        // Logging and metrics must not break a call or a provider either.
      }
    }
    try {
      ;(this.emit as (e: K, ...a: RedRpcEvents[K]) => boolean)(event, ...args)
    } catch {
      // A listener's exception must not break a call or a provider.
    }
  }
}

/** The params schemas of a service's methods, by method name (only those that declare one). */
function paramsSchemas(methods: readonly NormalizedMethod[]): Map<string, StandardSchemaV1> {
  return new Map(methods.flatMap((m) => (m.paramsSchema ? [[m.name, m.paramsSchema] as const] : [])))
}
