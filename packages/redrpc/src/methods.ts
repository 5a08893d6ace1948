import { assertKnownKeys } from '@org/redis-core'
import type { Lock } from '@org/redlock'
import { UndeclaredResourceError } from './errors.js'
import { type Caller, nestedCall } from './nestedCall.js'
import { assertInteger, assertName, type CallOptions, describe } from './options.js'
import type { ServiceRef } from './RedRpc.js'
import type { ParamsOf, ResultOf } from './ServiceInstance.js'
import { checkPermits, type HoldKind, type PermitsSpec, type SharedLockSpec, sharedLock } from './sharedLocks.js'
import type { InferSchemaOutput, StandardSchemaV1 } from './standardSchema.js'
import { isStandardSchema } from './validation.js'

/** What every handler receives besides its params. */
export interface CallContext {
  service: string
  method: string
  /** The provider running the call. */
  providerId: string
  requestId: string
  /** When the caller stops waiting, on this process' `performance.now()` clock (ms). */
  deadline: number
  /** Aborts when the deadline passes, the caller cancels, or (for lock-protected methods) the lock is lost. */
  signal: AbortSignal
  /** 1 on the first delivery; more when the call is retried or adopted from a dead provider. */
  attempt: number
  /** What the caller sent as `metadata` (empty when nothing). */
  metadata: Readonly<Record<string, unknown>>
  /**
   * Calls a method of another service (or this one) as part of this call: its `timeoutMs` is at most the time left
   * before `deadline`, it is cancelled when `signal` aborts, and `metadata` is forwarded (merged under
   * `options.metadata`, whose keys win). Rejects with `CallTimeoutError` at once, sending nothing, when no time is left.
   * @example
   * await redRpc.registerService('orders', {
   *   place: async (p: { id: string }, ctx) => {
   *     const stock = await ctx.call('stock', 'reserve', { id: p.id })   // same deadline and metadata
   *     return { id: p.id, stock }
   *   },
   * })
   */
  call: NestedCall
}

/** `ctx.call`: typed by a `ServiceRef`, or by the result type given, for a service known only by name. */
export interface NestedCall {
  <T extends ServiceMethods, K extends keyof T & string>(
    service: ServiceRef<T>,
    method: K,
    params?: ParamsOf<T[K]>,
    options?: CallOptions,
  ): Promise<ResultOf<T[K]>>
  <R = unknown>(service: string, method: string, params?: unknown, options?: CallOptions): Promise<R>
}

/**
 * What a handler receives. `lock` is the held lock (with `fencingToken`) for methods declared with `lock`; reading
 * it in a method without one throws a TypeError that says so, rather than yielding undefined.
 */
export interface MethodContext extends CallContext {
  lock: Lock
}

/** The context of a lock-protected method (same as `MethodContext`, kept as a name for readers). */
export type LockedCallContext = MethodContext

/**
 * The params of a method whose type is not given: whatever the caller sends. `any` rather than `unknown`, so that
 * `(p) => [p.name]` compiles in the scenario as written.
 */
// biome-ignore lint/suspicious/noExplicitAny: see above
export type AnyParams = any

/** Resources a method locks: fixed names, or a function of the params. */
export type LockSpec<P = AnyParams> = string | readonly string[] | ((params: P) => string | readonly string[])

/** A handler: params in, result (or a promise of it) out. */
export type Handler<P = AnyParams, R = unknown> = (params: P, ctx: MethodContext) => R | Promise<R>

/** A method as an object: its handler and settings. */
export interface MethodDefinition<P = AnyParams, R = unknown> extends MethodSettings {
  handler: Handler<P, R>
  /**
   * A Standard Schema (zod, valibot, arktype...) for the params: the caller checks them before sending when it has
   * the schema (same process), the provider always checks them before the handler, which receives the schema's
   * output value. Invalid params reject with `ValidationError`.
   */
  // biome-ignore lint/suspicious/noExplicitAny: any input type; the handler's params are the output type
  params?: StandardSchemaV1<any, P>
  /** A Standard Schema for the result, checked by the provider after the handler; the caller gets its output value. */
  // biome-ignore lint/suspicious/noExplicitAny: any output type; the handler returns the input type
  result?: StandardSchemaV1<R, any>
  /**
   * Run under `rlock.using()` on these resources (auto-extended while the handler runs); `{ read: names }` or
   * `{ write: names }` for a read or write hold of `@org/redlock`'s read-write locks (see `sharedLocks.ts`).
   */
  lock?: LockSpec<P> | SharedLockSpec<P>
  /** Run holding a permit of this semaphore: at most `permits` calls naming it at once (instead of `lock`). */
  permits?: PermitsSpec
  /** Lock ttl (auto-extended while the handler runs); default: the resource's ttl declared in the Redlock. */
  lockTtlMs?: number
}

/** Settings a method may carry; callers in any process read them from the registry. */
export interface MethodSettings {
  /** Safe to run twice: timeouts and provider failures are retried on another provider. Default false. */
  idempotent?: boolean
  /** Default time per attempt for this method. */
  timeoutMs?: number
  /** Default retries for this method. */
  retries?: number
}

/** A method: a bare handler, or an object with a handler and settings. */
export type MethodSpec<P = AnyParams, R = unknown> = Handler<P, R> | MethodDefinition<P, R>

/** The methods of a service, by name. */
export type ServiceMethods = Record<string, MethodSpec>

/**
 * What `registerService` checks its methods against: a method with a `params` schema has its handler (and lock
 * function) typed by the schema's output. `S` is inferred per method (the schema, or nothing), which is what lets
 * `{ params: z.object(...), handler: (p) => ... }` type `p` without a helper. The schemas themselves are left out
 * of this side (`unknown`): intersecting a schema class such as zod's with another type breaks its `this`-typed
 * methods; registration checks at run time that they are Standard Schemas.
 */
export type SchemaTypedMethods<S> = {
  [K in keyof S]: [S[K]] extends [never]
    ? MethodShape
    : [S[K]] extends [StandardSchemaV1]
      ? Omit<MethodDefinition<InferSchemaOutput<S[K]>>, 'params' | 'result'> & { params: S[K]; result?: unknown }
      : MethodShape
}

/** A method as `registerService` accepts it, schemas typed by the argument itself. */
type MethodShape = Handler | (Omit<MethodDefinition, 'params' | 'result'> & { params?: unknown; result?: unknown })

/** What callers learn of a method through the registry. */
export interface MethodInfo {
  idempotent: boolean
  locked: boolean
  timeoutMs?: number
  retries?: number
}

/** A method ready to serve. */
export interface NormalizedMethod {
  name: string
  info: MethodInfo
  handler: (params: unknown, ctx: MethodContext) => unknown
  /** The resources to lock for these params; undefined when the method takes no lock. */
  resources: ((params: unknown) => string[]) | undefined
  /** A read, write or permit hold instead of a plain lock; undefined for a plain lock (or none). */
  hold?: HoldKind
  lockTtlMs: number | undefined
  /** The params and result schemas, when declared. */
  paramsSchema: StandardSchemaV1 | undefined
  resultSchema: StandardSchemaV1 | undefined
}

/**
 * Checks every method and returns them ready to serve. Fixed lock lists are checked against the Redlock's declared
 * resources now; lock functions are checked on each call, since their resources depend on the params.
 */
export function normalizeMethods(
  service: string,
  methods: unknown,
  declared: ReadonlySet<string> | undefined,
  defaults: Pick<MethodSettings, 'timeoutMs' | 'retries'> = {},
): NormalizedMethod[] {
  if (defaults === null || typeof defaults !== 'object') throw new TypeError('options.defaults must be an object')
  if (defaults.timeoutMs !== undefined) assertInteger(defaults.timeoutMs, 'options.defaults.timeoutMs', 1)
  if (defaults.retries !== undefined) assertInteger(defaults.retries, 'options.defaults.retries', 0)
  if (methods === null || typeof methods !== 'object' || Array.isArray(methods)) {
    throw new TypeError(`methods of service '${service}' must be an object of handlers, got ${describe(methods)}`)
  }
  const entries = Object.entries(methods)
  if (entries.length === 0) throw new TypeError(`service '${service}' must have at least one method`)
  return entries.map(([name, spec]) => {
    const method = normalizeMethod(service, name, spec, declared)
    method.info.timeoutMs ??= defaults.timeoutMs
    method.info.retries ??= defaults.retries
    if (method.info.timeoutMs === undefined) delete method.info.timeoutMs
    if (method.info.retries === undefined) delete method.info.retries
    return method
  })
}

/** The keys of a method definition; any other is refused (a misspelt `lock` would otherwise run unlocked). */
const METHOD_KEYS = [
  'handler',
  'params',
  'result',
  'lock',
  'permits',
  'lockTtlMs',
  'idempotent',
  'timeoutMs',
  'retries',
] as const satisfies readonly (keyof MethodDefinition)[]

function normalizeMethod(
  service: string,
  name: string,
  spec: unknown,
  declared: ReadonlySet<string> | undefined,
): NormalizedMethod {
  assertName(name, `method name '${name}' of service '${service}'`)
  const what = `method '${service}.${name}'`
  if (typeof spec === 'function') {
    return {
      name,
      info: { idempotent: false, locked: false },
      handler: spec as never,
      resources: undefined,
      lockTtlMs: undefined,
      paramsSchema: undefined,
      resultSchema: undefined,
    }
  }
  if (spec === null || typeof spec !== 'object') {
    throw new TypeError(`${what} must be a function or { handler, lock?, ... }, got ${describe(spec)}`)
  }
  const m = spec as Partial<MethodDefinition>
  assertKnownKeys(m, METHOD_KEYS, what)
  if (typeof m.handler !== 'function')
    throw new TypeError(`${what}.handler must be a function, got ${describe(m.handler)}`)
  if (m.idempotent !== undefined && typeof m.idempotent !== 'boolean') {
    throw new TypeError(`${what}.idempotent must be a boolean`)
  }
  if (m.timeoutMs !== undefined) assertInteger(m.timeoutMs, `${what}.timeoutMs`, 1)
  if (m.retries !== undefined) assertInteger(m.retries, `${what}.retries`, 0)
  if (m.lockTtlMs !== undefined) assertInteger(m.lockTtlMs, `${what}.lockTtlMs`, 1)
  for (const key of ['params', 'result'] as const) {
    if (m[key] !== undefined && !isStandardSchema(m[key])) {
      throw new TypeError(`${what}.${key} must be a Standard Schema (with '~standard'), got ${describe(m[key])}`)
    }
  }
  const shared = sharedLock(m.lock)
  const permits = m.permits === undefined ? undefined : checkPermits(what, m.permits)
  if (permits && m.lock !== undefined) throw new TypeError(`${what} takes either a lock or permits, not both`)
  const hold: HoldKind | undefined = permits ? { mode: 'permit', permits: permits.permits } : shared?.kind
  const lock = permits ? permits.name : shared ? shared.names : m.lock
  const resources = lock === undefined ? undefined : lockResolver(service, name, lock, permits ? undefined : declared)
  const info: MethodInfo = { idempotent: m.idempotent ?? false, locked: resources !== undefined }
  if (m.timeoutMs !== undefined) info.timeoutMs = m.timeoutMs
  if (m.retries !== undefined) info.retries = m.retries
  return {
    name,
    info,
    handler: m.handler as never,
    resources,
    ...(hold ? { hold } : {}),
    lockTtlMs: m.lockTtlMs,
    paramsSchema: m.params,
    resultSchema: m.result,
  }
}

function lockResolver(
  service: string,
  method: string,
  lock: unknown,
  declared: ReadonlySet<string> | undefined,
): (params: unknown) => string[] {
  const check = (value: unknown): string[] => {
    const list = typeof value === 'string' ? [value] : value
    if (!Array.isArray(list) || list.length === 0 || list.some((r) => typeof r !== 'string' || r === '')) {
      throw new TypeError(`lock of '${service}.${method}' must name one or more resources, got ${describe(value)}`)
    }
    if (declared) {
      const missing = list.find((r) => !declared.has(r))
      if (missing !== undefined) throw new UndeclaredResourceError({ service, method }, missing, [...declared])
    }
    return [...new Set(list as string[])]
  }
  if (typeof lock === 'function') return (params) => check(lock(params))
  const fixed = check(lock)
  return () => fixed
}

/** What the transport tells a handler about its call (a subset of `@org/transport`'s `HandlerContext`). */
export interface TransportContext {
  readonly requestId: string
  readonly deadline: number
  readonly signal: AbortSignal
  readonly attempt: number
  readonly metadata: Readonly<Record<string, unknown>>
}

/**
 * The context of a method without a lock. It reads through to the transport's context, so its signal (a timer and
 * an AbortController) is only created for handlers that use it; `ctx.lock` throws a TypeError naming the method.
 */
class UnlockedContext implements MethodContext {
  readonly service: string
  readonly method: string
  readonly providerId: string
  readonly #call: TransportContext
  readonly #caller: Caller

  constructor(service: string, method: string, providerId: string, call: TransportContext, caller: Caller) {
    this.service = service
    this.method = method
    this.providerId = providerId
    this.#call = call
    this.#caller = caller
  }

  /** Made when read, not per call: most handlers never call out. A function of its own, so it can be destructured. */
  get call(): NestedCall {
    return ((service: string | ServiceRef, method: string, params?: unknown, options?: CallOptions) =>
      nestedCall(this.#caller, this, service, method, params, options)) as NestedCall
  }

  get requestId(): string {
    return this.#call.requestId
  }

  get deadline(): number {
    return this.#call.deadline
  }

  get signal(): AbortSignal {
    return this.#call.signal
  }

  get attempt(): number {
    return this.#call.attempt
  }

  get metadata(): Readonly<Record<string, unknown>> {
    return this.#call.metadata
  }

  get lock(): never {
    throw new TypeError(`method '${this.service}.${this.method}' takes no lock: declare one with { lock, handler }`)
  }
}

/** The context handed to a method without a lock. */
export function contextWithoutLock(
  service: string,
  method: string,
  providerId: string,
  call: TransportContext,
  caller: Caller,
): MethodContext {
  return new UnlockedContext(service, method, providerId, call, caller)
}
