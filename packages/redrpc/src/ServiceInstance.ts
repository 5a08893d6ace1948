import type { MethodSpec, ServiceMethods } from './methods.js'
import type { CallOptions } from './options.js'
import type { ServiceClient } from './ServiceClient.js'
import type { InferSchemaInput, InferSchemaOutput, StandardSchemaV1 } from './standardSchema.js'

type HandlerOf<M> = M extends (...args: never[]) => unknown ? M : M extends { handler: infer H } ? H : never

/** The params type of a method spec: its `params` schema's input type, else its handler's params. */
export type ParamsOf<M> = M extends { params: infer S extends StandardSchemaV1 }
  ? InferSchemaInput<S>
  : HandlerOf<M> extends (params: infer P, ...rest: never[]) => unknown
    ? P
    : unknown

/** The resolved result type of a method spec: its `result` schema's output type, else what its handler returns. */
export type ResultOf<M> = M extends { result: infer S extends StandardSchemaV1 }
  ? InferSchemaOutput<S>
  : HandlerOf<M> extends (...args: never[]) => infer R
    ? Awaited<R>
    : unknown

/** One function per method, as `api.ping()` for `callApi('ping')`. */
export type ServiceApi<T extends ServiceMethods> = string extends keyof T
  ? UntypedApi
  : { [K in keyof T & string]: (params?: ParamsOf<T[K]>, options?: CallOptions) => Promise<ResultOf<T[K]>> }

/**
 * The proxy of a service known only by name: its methods exist only at run time, and an index signature would read
 * as possibly undefined under `noUncheckedIndexedAccess`, so `api.ping()` would not compile.
 */
// biome-ignore lint/suspicious/noExplicitAny: see above
export type UntypedApi = any

/** A handle to a service, possibly served by providers in other processes; typed by its methods when known. */
export interface ServiceInstance<T extends ServiceMethods = Record<string, MethodSpec>> {
  /** The service's name. */
  readonly name: string
  /**
   * Calls `method` on one live provider chosen by the service's policy; retries and failover as configured. With no
   * live provider yet, the first attempt waits for one up to its `timeoutMs`.
   * @throws {TypeError} `method` is not a non-empty string, or bad options
   * @throws {RangeError} `options.timeoutMs` or `options.retries` out of range
   * @throws {ValidationError} the params (or the result) failed the method's schema
   * @throws {UnknownServiceError} the service was never registered (after waiting `timeoutMs`)
   * @throws {UnknownMethodError} the service has no such method
   * @throws {NoProviderError} no live provider within `timeoutMs`
   * @throws {CallTimeoutError} no reply within `timeoutMs`
   * @throws {RemoteCallError} the handler threw
   * @throws {CircuitOpenError} {BulkheadFullError} {CallFailedError} {CallAbortedError} {ClosedError} see their docs
   * @example
   * const r = await service.callApi('getResource', { name: 'Resource_A' }, { timeoutMs: 2_000, metadata: { trace } })
   */
  callApi<K extends keyof T & string>(
    method: K,
    params?: ParamsOf<T[K]>,
    options?: CallOptions,
  ): Promise<ResultOf<T[K]>>
  /** A proxy with one function per method. */
  readonly api: ServiceApi<T>
  /** Resolves once the providers are known (the registry watch is set up); calls do this by themselves. */
  ready(): Promise<void>
  /** Ids of the live providers as this process sees them, sorted. */
  providers(): string[]
}

/** Builds the public handle over a service client. */
export function createServiceInstance<T extends ServiceMethods>(client: ServiceClient): ServiceInstance<T> {
  const callApi = (method: string, params?: unknown, options?: CallOptions) =>
    client.call(method, params, options) as Promise<never>
  const api = new Proxy({} as ServiceApi<T>, {
    get(_target, property) {
      // `then` must stay undefined, or `await service.api` would treat the proxy as a promise.
      if (typeof property !== 'string' || property === 'then') return undefined
      return (params?: unknown, options?: CallOptions) => callApi(property, params, options)
    },
  })
  return {
    name: client.name,
    callApi,
    api,
    ready: () => client.ready(),
    providers: () => client.providers().map((e) => e.id),
  }
}
