import type { Endpoint, LoadBalancer } from '@org/balancer'
import {
  type ProviderChange,
  type ProviderInfo,
  type Registry,
  UnknownServiceError as RegistryUnknownServiceError,
  type Watch,
} from '@org/registry'
import type { RequestOptions, TransportClient } from '@org/transport'
import { type BreakerState, CircuitBreaker } from './CircuitBreaker.js'
import { isProviderFailure, isRetryable, toCallError } from './callErrors.js'
import { assertEncodable, encodeValue } from './codec.js'
import { CodecError } from './codecError.js'
import {
  BulkheadFullError,
  CallAbortedError,
  CallFailedError,
  CallTimeoutError,
  CircuitOpenError,
  ClosedError,
  NoProviderError,
  type RedRpcError,
  UnknownMethodError,
  UnknownServiceError,
} from './errors.js'
import type { RedRpcEvents } from './events.js'
import { type CallHookContext, CallState, type HookSet } from './hooks/index.js'
import type { MethodInfo } from './methods.js'
import { assertCallOptions, type CallOptions, type ResolvedCallDefaults } from './options.js'
import { ProviderWaiters } from './ProviderWaiters.js'
import type { RedisHealth } from './redisHealth.js'
import { CallRecorder, type ServiceStats } from './Stats.js'
import { readMethodInfos } from './serviceMetadata.js'
import type { StandardSchemaV1 } from './standardSchema.js'
import { validate } from './validation.js'

/** The options of a call given none: shared, so such a call allocates no object for them. */
const NO_OPTIONS: CallOptions = Object.freeze({})

/** The providers tried by a first attempt. */
const NONE_TRIED: ReadonlySet<string> = new Set()

/** One call across its attempts: what `#attempt` needs, kept small (a call in flight holds it). */
interface CallRun {
  readonly method: string
  /** The params as wire text, reused by every attempt. */
  readonly payload: string | undefined
  readonly options: CallOptions
  readonly info: MethodInfo
  readonly timeoutMs: number
  readonly retries: number
  /** Time spent waiting for a first provider, taken from the first attempt's timeout. */
  readonly waitedMs: number
  readonly hooked: CallState | undefined
  /** `performance.now()` when the call was counted in (the first attempt's start too). */
  readonly startedAt: number
  /** Providers that failed an attempt; made on the first retry. */
  tried: Set<string> | undefined
}

/** What a service client needs from its `RedRpc`. */
export interface ServiceClientDeps {
  registry: Registry
  transport(): TransportClient
  emit<K extends keyof RedRpcEvents>(event: K, ...args: RedRpcEvents[K]): void
  /** Whether anyone listens, so per-call events cost nothing when nobody does. */
  listens(event: keyof RedRpcEvents): boolean
  isClosed(): boolean
  /** The RedRpc's Redis connection: a call fails at once, typed, while it is known to be down. */
  health: RedisHealth
  /** How long a first call waits for the connection. */
  connectTimeoutMs: number
  /** The RedRpc's hooks: read per call, so hooks registered later apply to running clients. */
  hooks: HookSet
}

/**
 * The caller's side of one service: the live providers (from the registry, kept by a watch), a balancer, one breaker
 * and one recorder per provider, and the bulkhead. Every call of every `ServiceInstance` of the service goes through it.
 */
export class ServiceClient {
  readonly name: string
  #defaults: ResolvedCallDefaults
  #balancer: LoadBalancer
  #endpoints: Endpoint[] = []
  #methods: Map<string, MethodInfo> = new Map()
  #ready: Promise<void> | undefined
  /** The watch has listed the providers once. */
  #watching = false
  /** The service's definition was read from the registry. */
  #known = false
  /** Both of the above: the fast path of a call. */
  #loaded = false
  /** The params schemas of the service's methods when it was registered in this process; else undefined. */
  #schemas: ReadonlyMap<string, StandardSchemaV1> | undefined
  readonly #waiters = new ProviderWaiters()
  /** Breakers not closed (open or half-open): while 0, picks skip the breaker filter. */
  #notClosed = 0
  #watch: Watch | undefined
  readonly #breakers = new Map<string, CircuitBreaker>()
  readonly #recorders = new Map<string, CallRecorder>()
  readonly #total = new CallRecorder()
  readonly #deps: ServiceClientDeps

  constructor(name: string, defaults: ResolvedCallDefaults, balancer: LoadBalancer, deps: ServiceClientDeps) {
    this.name = name
    this.#defaults = defaults
    this.#balancer = balancer
    this.#deps = deps
  }

  /** Replaces the caller defaults of this service (from `getInstance(service, options)`). */
  setDefaults(defaults: ResolvedCallDefaults): void {
    this.#defaults = defaults
  }

  /**
   * The params schemas known in this process (the service was registered here), so calls are checked before they
   * are sent. A service registered elsewhere has none here: its providers check.
   */
  setSchemas(schemas: ReadonlyMap<string, StandardSchemaV1>): void {
    this.#schemas = schemas.size > 0 ? schemas : undefined
  }

  /** Replaces the load-balancing policy of this service. */
  setBalancer(balancer: LoadBalancer): void {
    this.#balancer = balancer
  }

  /**
   * Calls `method` on one provider, retrying on others when that is safe; see `CallOptions`. Without `call` hooks this
   * is `#call` itself (one field read more); with them, the hooks wrap it.
   */
  call(method: string, params: unknown, options: CallOptions = NO_OPTIONS): Promise<unknown> {
    const hooks = this.#deps.hooks.call
    if (hooks === undefined) return this.#call(method, params, options, undefined)
    return hooks(new CallState(this.name, method, params, options ?? NO_OPTIONS), this.#hookedCore)
  }

  /** What the `call` hooks wrap: made once per client, so a hooked call allocates no closure for it. */
  readonly #hookedCore = (ctx: CallHookContext): Promise<unknown> => {
    const c = ctx as CallState
    return this.#call(c.method, c.params, c.callOptions(), c)
  }

  /**
   * The call itself. A call on a service already loaded, to a method without a params schema, has nothing to wait
   * for before its first attempt: it is checked and sent in this turn, and its attempts run on promise reactions
   * (`#attempt`), not in a suspended async function. That keeps what a call in flight holds small, which shows under
   * load: with 256 calls in flight, 0.2-1.5 µs less caller CPU per call (less garbage collection), measured against
   * the async version with `bench/src/redrpc/callerAB.ts`. Anything else first waits in `#prepareSlowly`.
   */
  #call(method: string, params: unknown, options: CallOptions, hooked: CallState | undefined): Promise<unknown> {
    const info =
      this.#loaded && this.#endpoints.length > 0 && this.#schemas?.get(method) === undefined
        ? this.#methods.get(method)
        : undefined
    if (info === undefined) return this.#prepareSlowly(method, params, options, hooked)
    let run: CallRun
    try {
      this.#check(method, options)
      const payload = this.#payload(method, params, options)
      if (this.#deps.health.down) throw this.#deps.health.unavailable({ service: this.name, method }, true)
      run = this.#begin(method, payload, options, info, 0, hooked)
    } catch (err) {
      return Promise.reject(err)
    }
    return this.#attempt(run, 1)
  }

  /** The same checks in the same order as `#call`, with the waits it skips: a params schema, the service loading. */
  async #prepareSlowly(
    method: string,
    params: unknown,
    options: CallOptions,
    hooked: CallState | undefined,
  ): Promise<unknown> {
    this.#check(method, options)
    // Only a method with a schema pays for it; the params are sent as given (the provider checks them again and
    // hands its handler the schema's output).
    const schema = this.#schemas?.get(method)
    if (schema !== undefined) {
      const checked = validate(schema, params, { service: this.name, method }, 'params')
      if (checked instanceof Promise) await checked
    }
    const payload = this.#payload(method, params, options)
    // Redis known to be down: fail now, typed and naming it, rather than after ioredis' retries (nothing is sent).
    if (this.#deps.health.down) throw this.#deps.health.unavailable({ service: this.name, method }, true)
    const waitedMs = this.#loaded && this.#endpoints.length > 0 ? 0 : await this.#untilServed(method, options)
    const info = this.#methods.get(method) ?? (await this.#methodInfo(method))
    return this.#attempt(this.#begin(method, payload, options, info, waitedMs, hooked), 1)
  }

  /** What is checked before anything else: the client open, the method named, the options well formed. */
  #check(method: string, options: CallOptions): void {
    if (this.#deps.isClosed()) throw new ClosedError()
    if (typeof method !== 'string' || method === '') {
      throw new TypeError(`method must be a non-empty string, got ${typeof method}`)
    }
    assertCallOptions(options)
  }

  /**
   * The params encoded once, before anything is sent (a refusal names the path, e.g. `params.items[2].f`), and reused
   * by every attempt (the transport passes the text through, see wireCodec.ts); the metadata checked here, with the
   * call site on a refusal (the transport encodes it).
   */
  #payload(method: string, params: unknown, options: CallOptions): string | undefined {
    const payload = params === undefined ? undefined : this.#encode(params, 'params', method)
    if (options.metadata !== undefined) {
      try {
        assertEncodable(options.metadata, 'metadata')
      } catch (err) {
        throw this.#atCall(err, method)
      }
    }
    return payload
  }

  /** Counts the call in (after the bulkhead let it in); from here `#attempt` ends it exactly once. */
  #begin(
    method: string,
    payload: string | undefined,
    options: CallOptions,
    info: MethodInfo,
    waitedMs: number,
    hooked: CallState | undefined,
  ): CallRun {
    if (this.#total.inFlight >= this.#defaults.maxInFlight) {
      throw new BulkheadFullError({ service: this.name, method }, this.#defaults.maxInFlight)
    }
    const run: CallRun = {
      method,
      payload,
      options,
      info,
      timeoutMs: options.timeoutMs ?? info.timeoutMs ?? this.#defaults.timeoutMs,
      retries: options.retries ?? info.retries ?? this.#defaults.retries,
      waitedMs,
      hooked,
      startedAt: performance.now(),
      tried: undefined,
    }
    this.#total.start()
    return run
  }

  /**
   * Attempt `attempt` of a call, then the next ones while its failures may be retried on other providers. Never
   * throws: every way out settles the returned promise and ends the call's count (`#total`) once. The clock is read
   * twice on a call that succeeds at once (its start is the first attempt's).
   */
  #attempt(run: CallRun, attempt: number): Promise<unknown> {
    const { method, options, hooked } = run
    let endpoint: Endpoint
    let breaker: CircuitBreaker
    let started: number
    let sent: Promise<unknown>
    try {
      if (this.#deps.isClosed()) throw new ClosedError()
      endpoint = this.#pick(method, run.tried ?? NONE_TRIED, options.key)
      const provider = endpoint.id
      breaker = this.#breaker(provider)
      breaker.onStart()
      this.#balancer.onStart(endpoint)
      this.#recorder(provider).start()
      if (this.#deps.listens('callStart')) {
        this.#deps.emit('callStart', { service: this.name, method, provider, attempt })
      }
      started = attempt === 1 ? run.startedAt : performance.now()
      // Time spent waiting for a first provider is taken from the first attempt: the call keeps its deadline.
      const attemptMs =
        attempt === 1 && run.waitedMs > 0 ? Math.max(1, Math.floor(run.timeoutMs - run.waitedMs)) : run.timeoutMs
      if (hooked !== undefined) hooked.started(attempt, provider, started, started + attemptMs)
      const request: RequestOptions = {
        service: this.name,
        providerId: provider,
        method,
        params: run.payload,
        timeoutMs: attemptMs,
        attempt,
      }
      if (options.signal) request.signal = options.signal
      if (options.metadata) request.metadata = options.metadata
      sent = this.#deps.transport().request(request)
    } catch (err) {
      this.#total.end(performance.now() - run.startedAt, false)
      return Promise.reject(err)
    }
    return sent.then(
      (result) => this.#succeeded(run, attempt, endpoint, breaker, started, result),
      (err: unknown) => this.#failed(run, attempt, endpoint, breaker, started, err),
    )
  }

  #succeeded(
    run: CallRun,
    attempt: number,
    endpoint: Endpoint,
    breaker: CircuitBreaker,
    started: number,
    result: unknown,
  ): unknown {
    const ended = performance.now()
    const latencyMs = ended - started
    try {
      this.#attemptEnded(endpoint, breaker, run.method, attempt, latencyMs, undefined)
      run.hooked?.ended(latencyMs, undefined)
    } catch (err) {
      // Not expected (listeners' exceptions are swallowed where events are emitted); if it happens, the call fails
      // and is still counted out.
      this.#total.end(performance.now() - run.startedAt, false)
      throw err
    }
    this.#total.end(ended - run.startedAt, true)
    return result
  }

  #failed(
    run: CallRun,
    attempt: number,
    endpoint: Endpoint,
    breaker: CircuitBreaker,
    started: number,
    err: unknown,
  ): Promise<unknown> {
    const { method } = run
    const provider = endpoint.id
    try {
      let error = toCallError(err, { service: this.name, method, provider }, run.timeoutMs)
      // A call that failed in transit or timed out while the Redis is down failed because of it.
      if ((error instanceof CallFailedError || error instanceof CallTimeoutError) && this.#deps.health.down) {
        error = this.#deps.health.unavailable({ service: this.name, method, provider }, false, error)
      }
      const latencyMs = performance.now() - started
      this.#attemptEnded(endpoint, breaker, method, attempt, latencyMs, error)
      run.hooked?.ended(latencyMs, error)
      if (attempt > run.retries || !isRetryable(error, run.info)) throw error
      run.tried ??= new Set()
      run.tried.add(provider)
      this.#deps.emit('retry', { service: this.name, method, provider, attempt, latencyMs: 0, ok: false, error })
    } catch (final) {
      this.#total.end(performance.now() - run.startedAt, false)
      return Promise.reject(final)
    }
    const delayMs = this.#defaults.retryDelayMs
    if (delayMs > 0) return pause(delayMs, run.options.signal).then(() => this.#attempt(run, attempt + 1))
    return this.#attempt(run, attempt + 1)
  }

  /** `encodeValue` with the call site on its refusal. */
  #encode(value: unknown, root: string, method: string): string {
    try {
      return encodeValue(value, root)
    } catch (err) {
      throw this.#atCall(err, method)
    }
  }

  /** A codec's refusal with the call site on it (`CodecError.at`); any other error as it is. */
  #atCall(err: unknown, method: string): unknown {
    return err instanceof CodecError ? err.at({ service: this.name, method }) : err
  }

  /** The bookkeeping of one finished attempt: breaker, balancer, recorder and the `callEnd` event. */
  #attemptEnded(
    endpoint: Endpoint,
    breaker: CircuitBreaker,
    method: string,
    attempt: number,
    latencyMs: number,
    error: RedRpcError | undefined,
  ): void {
    const ok = error === undefined
    if (ok || !isProviderFailure(error)) breaker.onSuccess()
    else breaker.onFailure()
    this.#balancer.onEnd(endpoint, { latencyMs, ok })
    this.#recorder(endpoint.id).end(latencyMs, ok)
    if (this.#deps.listens('callEnd')) {
      const event = { service: this.name, method, provider: endpoint.id, attempt, latencyMs, ok }
      this.#deps.emit('callEnd', error ? { ...event, error } : event)
    }
  }

  /** Picks a live provider whose breaker lets calls through, avoiding those already tried when others exist. */
  #pick(method: string, tried: ReadonlySet<string>, key: string | undefined): Endpoint {
    // The error site is built only for an error: a call's path allocates nothing it does not keep.
    if (this.#endpoints.length === 0) throw new NoProviderError('no live provider', this.#site(method))
    // The common case, every breaker closed and a first attempt, allocates nothing.
    const passing =
      this.#notClosed === 0 ? this.#endpoints : this.#endpoints.filter((e) => this.#breaker(e.id).canPass())
    if (passing.length === 0) {
      throw new CircuitOpenError('every provider has its circuit breaker open', this.#site(method))
    }
    if (tried.size === 0 && key === undefined) {
      const first = this.#balancer.pick(passing)
      if (!first) throw new NoProviderError('the load balancer picked no provider', this.#site(method))
      return first
    }
    const fresh = passing.some((e) => !tried.has(e.id))
    const ctx = fresh && tried.size > 0 ? { exclude: tried as ReadonlySet<string> } : {}
    const picked = this.#balancer.pick(passing, key === undefined ? ctx : { ...ctx, key })
    if (!picked) throw new NoProviderError('the load balancer picked no provider', this.#site(method))
    // A custom policy that ignores `exclude` must not send a retry back to the provider that just failed it.
    if (fresh && tried.has(picked.id)) return passing.find((e) => !tried.has(e.id)) as Endpoint
    return picked
  }

  #site(method: string): { service: string; method: string } {
    return { service: this.name, method }
  }

  #breaker(provider: string): CircuitBreaker {
    let breaker = this.#breakers.get(provider)
    if (!breaker) {
      breaker = new CircuitBreaker(this.#defaults.breaker, (state, previous) =>
        this.#onBreaker(provider, state, previous),
      )
      this.#breakers.set(provider, breaker)
    }
    return breaker
  }

  #onBreaker(provider: string, state: BreakerState, previous: BreakerState): void {
    if (previous === 'closed') this.#notClosed++
    else if (state === 'closed') this.#notClosed--
    const event = { service: this.name, provider, state }
    if (state === 'open') this.#deps.emit('breakerOpen', event)
    else if (state === 'half-open') this.#deps.emit('breakerHalfOpen', event)
    else this.#deps.emit('breakerClose', event)
  }

  #recorder(provider: string): CallRecorder {
    let recorder = this.#recorders.get(provider)
    if (!recorder) {
      recorder = new CallRecorder()
      this.#recorders.set(provider, recorder)
    }
    return recorder
  }

  /**
   * The slow path of a call: sets up the watch and, while the service has no live provider (its providers not
   * started yet, or all gone), waits for one up to the call's `timeoutMs`. Returns the time spent. Throws
   * `UnknownServiceError` when the service was never registered by then, `NoProviderError` when it has no provider.
   */
  async #untilServed(method: string, options: CallOptions): Promise<number> {
    const started = performance.now()
    await this.#deps.health.whenReady(this.#deps.connectTimeoutMs, { service: this.name, method })
    await this.#ensureReady()
    if (this.#endpoints.length === 0) {
      const budget = options.timeoutMs ?? this.#methods.get(method)?.timeoutMs ?? this.#defaults.timeoutMs
      const site = { service: this.name, method }
      await this.#waitForProvider(started + budget, options.signal)
      if (this.#deps.isClosed()) throw new ClosedError()
      if (options.signal?.aborted) throw new CallAbortedError('cancelled by the caller', site)
      if (!this.#known) await this.#refreshDefinition()
      if (this.#endpoints.length === 0) throw new NoProviderError(`no live provider within ${budget} ms`, site)
    }
    if (!this.#known) await this.#refreshDefinition()
    return performance.now() - started
  }

  /** Resolves true once the service has a live provider, false at `until` (`performance.now()`), abort or close. */
  async #waitForProvider(until: number, signal: AbortSignal | undefined): Promise<boolean> {
    while (this.#endpoints.length === 0) {
      const left = until - performance.now()
      if (left <= 0 || signal?.aborted || this.#deps.isClosed()) return false
      await this.#waiters.wait(left, signal)
    }
    return true
  }

  /**
   * For `waitForServices`: resolves true once the service has a live provider as the registry sees it, false when
   * `until` (`performance.now()` clock) passes first or `signal` aborts. Does not need the service's definition.
   */
  async untilServed(until: number, signal?: AbortSignal): Promise<boolean> {
    await this.#deps.health.whenReady(this.#deps.connectTimeoutMs, { service: this.name })
    await this.#ensureReady()
    return this.#waitForProvider(until, signal)
  }

  /** Starts the watch and reads the service's definition once; a failure is retried by the next call. */
  #ensureReady(): Promise<void> {
    if (!this.#ready) {
      this.#ready = this.#load().catch((err) => {
        this.#ready = undefined
        throw err
      })
    }
    return this.#ready
  }

  async #load(): Promise<void> {
    // The watch comes first and does not need the service to exist: a caller may start before its providers.
    this.#watch ??= this.#deps.registry.watch(this.name, (providers, change) => this.#onChange(providers, change))
    const watch = this.#watch
    await watch.ready
    // Events heard before `ready` already set the list; this covers a service with no provider yet.
    this.#setEndpoints(watch.providers)
    this.#watching = true
    await this.#refreshDefinition(false)
  }

  /** Reads the service's methods; when it is not registered, throws `UnknownServiceError` if `required`. */
  async #refreshDefinition(required = true): Promise<void> {
    const definition = await this.#deps.registry.getService(this.name).catch((err: unknown) => {
      // By class, not name: only the registry's own error means "not registered".
      if (err instanceof RegistryUnknownServiceError) return undefined
      throw err
    })
    if (!definition) {
      if (!required) return
      throw new UnknownServiceError('no such service in this RedRpc or the registry', { service: this.name })
    }
    this.#methods = readMethodInfos(definition)
    this.#known = true
    this.#loaded = this.#watching
  }

  async #methodInfo(method: string): Promise<MethodInfo> {
    let info = this.#methods.get(method)
    if (!info) {
      // The service may have been registered again with more methods since we read it.
      await this.#refreshDefinition()
      info = this.#methods.get(method)
    }
    if (!info) throw new UnknownMethodError({ service: this.name, method }, [...this.#methods.keys()])
    return info
  }

  #onChange(providers: ProviderInfo[], change: ProviderChange): void {
    this.#setEndpoints(providers)
    for (const p of change.added) this.#deps.emit('providerUp', { service: this.name, provider: p.id })
    for (const p of change.removed) {
      const breaker = this.#breakers.get(p.id)
      if (breaker && breaker.state !== 'closed') this.#notClosed--
      this.#breakers.delete(p.id)
      this.#deps.emit('providerDown', { service: this.name, provider: p.id, reason: p.reason })
    }
  }

  #setEndpoints(providers: ProviderInfo[]): void {
    this.#endpoints = providers
      .map((p) => ({ id: p.id, weight: p.weight, metadata: p.metadata }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    if (this.#endpoints.length > 0) this.#waiters.wake()
  }

  /** The live providers as this caller sees them. */
  providers(): readonly Endpoint[] {
    return this.#endpoints
  }

  /** Waits until the watch is set up (useful before counting on `providers()`); the service need not exist yet. */
  ready(): Promise<void> {
    return this.#ensureReady()
  }

  /** This service's counters, per provider. */
  stats(): ServiceStats {
    const providers: ServiceStats['providers'] = {}
    for (const [id, recorder] of this.#recorders) {
      providers[id] = { ...recorder.snapshot(), breaker: this.#breakers.get(id)?.state ?? 'closed' }
    }
    return { ...this.#total.snapshot(), providers }
  }

  /** Stops the watch. */
  async close(): Promise<void> {
    this.#waiters.wake()
    await this.#ready?.catch(() => {})
    await this.#watch?.close()
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
  })
}
