import { isThenable } from '@org/redis-core'
import type { Redlock } from '@org/redlock'
import type { ProviderHandle, Registry } from '@org/registry'
import { type Codec, TransportServer } from '@org/transport'
import type { Cluster, Redis } from 'ioredis'
import { encodeValue } from './codec.js'
import { CodecError, resultRefusal } from './codecError.js'
import { ValidationError } from './errors.js'
import type { RedRpcEvents } from './events.js'
import { type Dispatch, type HandleHookContext, HandleState, type HookSet, type LockSink } from './hooks/index.js'
import { removeEmptyInbox } from './inboxCleanup.js'
import { runLocked } from './lockedRun.js'
import { type CallContext, contextWithoutLock, type NormalizedMethod, type TransportContext } from './methods.js'
import type { Caller } from './nestedCall.js'
import { outgoing } from './refusals.js'
import { CallCounter } from './Stats.js'
import type { StandardSchemaV1 } from './standardSchema.js'
import { validate, wireValidationError } from './validation.js'

/** What a local provider needs from its `RedRpc`. */
export interface LocalProviderDeps {
  redis: Redis | Cluster
  registry: Registry
  rlock: Redlock | null
  namespace: string
  concurrency: number
  weight: number
  codec: Codec
  /** What `ctx.call` uses: the callers of the same `RedRpc`. */
  call: Caller
  emit<K extends keyof RedRpcEvents>(event: K, ...args: RedRpcEvents[K]): void
  /** The RedRpc's hooks: read per call, so hooks registered later apply to running providers. */
  hooks: HookSet
}

/**
 * One provider instance living in this process: a transport server on its inbox plus its registry entry. The server
 * starts before the entry appears, so no caller ever sees a provider that cannot yet read its inbox.
 */
export class LocalProvider {
  readonly id: string
  readonly service: string
  /** Calls this provider has handled (counts only: no clock is read per call on the serving side). */
  readonly served = new CallCounter()
  readonly #server: TransportServer
  readonly #deps: LocalProviderDeps
  #handle: ProviderHandle | undefined

  private constructor(service: string, id: string, methods: readonly NormalizedMethod[], deps: LocalProviderDeps) {
    this.service = service
    this.id = id
    this.#deps = deps
    this.#server = new TransportServer(deps.redis, {
      namespace: deps.namespace,
      service,
      providerId: id,
      concurrency: deps.concurrency,
      codec: deps.codec,
      onError: (err) => deps.emit('warning', err),
    })
    for (const method of methods) this.#server.handle(method.name, (params, ctx) => this.#run(method, params, ctx))
  }

  /** Starts serving, then registers in the registry. */
  static async start(
    service: string,
    id: string,
    methods: readonly NormalizedMethod[],
    deps: LocalProviderDeps,
  ): Promise<LocalProvider> {
    const provider = new LocalProvider(service, id, methods, deps)
    await provider.#server.start()
    try {
      provider.#handle = await deps.registry.registerProvider(service, {
        id,
        weight: deps.weight,
        metadata: { pid: process.pid },
      })
    } catch (err) {
      await provider.#server.stop({ drain: false })
      throw err
    }
    return provider
  }

  /**
   * Runs a handler. Not async: a handler that returns a plain value is answered by the transport in the same turn,
   * without a promise per call; one that returns a promise (or runs under a lock) is awaited.
   */
  #run(method: NormalizedMethod, params: unknown, call: TransportContext): unknown {
    const hooks = this.#deps.hooks.handle
    if (hooks !== undefined) return this.#hooked(hooks, method, params, call)
    this.served.start()
    let result: unknown
    try {
      result = this.#produce(method, params, call, undefined)
    } catch (err) {
      this.served.finish(false)
      throw outgoing(err)
    }
    if (!isThenable(result)) return this.#answer(method, result)
    return Promise.resolve(result).then(
      (value) => this.#answer(method, value),
      (err: unknown) => {
        this.served.finish(false)
        throw outgoing(err)
      },
    )
  }

  /** A handler run inside the `handle` hooks: they see (and may replace) the params and the decoded result. */
  #hooked(hooks: Dispatch<HandleHookContext>, method: NormalizedMethod, params: unknown, call: TransportContext) {
    this.served.start()
    return hooks(new HandleState(this.service, method, this.id, params, call), this.#hookedCore).then(
      (value) => this.#answer(method, value),
      (err: unknown) => {
        this.served.finish(false)
        throw outgoing(err)
      },
    )
  }

  /** What the `handle` hooks wrap: made once per provider, so a hooked run allocates no closure for it. */
  readonly #hookedCore = (ctx: HandleHookContext): unknown => {
    const c = ctx as HandleState
    return this.#produce(c.spec, c.params, c.call, c)
  }

  /** The handler's value (or its promise): validated when the method has schemas, under its lock when it has one. */
  #produce(method: NormalizedMethod, params: unknown, call: TransportContext, sink: LockSink | undefined): unknown {
    return method.paramsSchema || method.resultSchema
      ? this.#validated(method, params, call, sink)
      : this.#invoke(method, params, call, sink)
  }

  /** The handler's value encoded for the wire, counted as served (or failed, when it cannot be encoded). */
  #answer(method: NormalizedMethod, value: unknown): string | undefined {
    let encoded: string | undefined
    try {
      encoded = this.#encodeResult(method, value)
    } catch (err) {
      this.served.finish(false)
      throw outgoing(err)
    }
    this.served.finish(true)
    return encoded
  }

  /**
   * The result as wire text (the transport passes it through, see wireCodec.ts). A result the codec cannot carry
   * exactly goes back as an error the caller turns into `CodecError` with its path (`result.when`), never as a
   * silently changed value.
   */
  #encodeResult(method: NormalizedMethod, value: unknown): string | undefined {
    if (value === undefined) return undefined
    try {
      return encodeValue(value, 'result')
    } catch (err) {
      if (!(err instanceof CodecError)) throw err
      const refused = err.at({ service: this.service, method: method.name, provider: this.id })
      this.#deps.emit('warning', refused)
      throw resultRefusal(refused)
    }
  }

  /**
   * A method with schemas: params checked before the handler (and before its lock: the lock function gets the
   * checked value too), the result after it. A refusal goes back as an error the caller turns into `ValidationError`.
   */
  #validated(method: NormalizedMethod, params: unknown, call: TransportContext, sink: LockSink | undefined): unknown {
    const site = { service: this.service, method: method.name, provider: this.id }
    const run = (value: unknown) => {
      const result = this.#invoke(method, value, call, sink)
      return method.resultSchema ? this.#check(method.resultSchema, result, site, 'result') : result
    }
    if (!method.paramsSchema) return run(params)
    const checked = this.#check(method.paramsSchema, params, site, 'params')
    return isThenable(checked) ? Promise.resolve(checked).then(run) : run(checked)
  }

  #check(
    schema: StandardSchemaV1,
    value: unknown,
    site: { service: string; method: string; provider: string },
    target: 'params' | 'result',
  ): unknown {
    const onError = (err: unknown) => {
      throw err instanceof ValidationError ? wireValidationError(err) : err
    }
    if (isThenable(value)) return Promise.resolve(value).then((v) => this.#check(schema, v, site, target))
    try {
      const checked = validate(schema, value, site, target)
      return isThenable(checked) ? Promise.resolve(checked).catch(onError) : checked
    } catch (err) {
      return onError(err)
    }
  }

  /** Runs the handler, under its lock when it has one. */
  #invoke(method: NormalizedMethod, params: unknown, call: TransportContext, sink: LockSink | undefined): unknown {
    return method.resources
      ? runLocked(
          this.#deps.rlock,
          method,
          params,
          this.#lockedContext(method.name, call),
          this.#deps.call,
          (resources, error) =>
            this.#deps.emit('lockLost', {
              service: this.service,
              method: method.name,
              provider: this.id,
              resources,
              error,
            }),
          sink,
        )
      : method.handler(params, contextWithoutLock(this.service, method.name, this.id, call, this.#deps.call))
  }

  #lockedContext(method: string, call: TransportContext): Omit<CallContext, 'call'> {
    const { requestId, deadline, signal, attempt, metadata } = call
    return { service: this.service, method, providerId: this.id, requestId, deadline, signal, attempt, metadata }
  }

  /** Takes over the requests left in the inbox of `deadProvider` (same service); they run here, at least once. */
  adoptOrphans(deadProvider: string): Promise<unknown> {
    return this.#server.adoptOrphans(deadProvider)
  }

  /**
   * Graceful exit without running any call twice: weight 0 first, so callers stop picking it; then running calls
   * finish and are acknowledged; only then does it leave the registry, which is what makes another provider adopt
   * the inbox. An adopter arriving earlier would re-run the calls still being drained. Last, an inbox left empty is
   * removed (one that still holds requests stays for the adopter).
   */
  async stop(): Promise<void> {
    await this.#handle?.update({ weight: 0 }).catch(() => {})
    await this.#server.stop({ drain: true })
    await this.#handle?.deregister().catch(() => {})
    const { redis, namespace } = this.#deps
    await removeEmptyInbox(redis, namespace, this.service, this.id, this.#server.inboxKey).catch((err: unknown) => {
      this.#deps.emit('warning', err instanceof Error ? err : new Error(String(err)))
    })
  }
}
