import type { Attributes } from '@opentelemetry/api'
import { errorType, RPC_SYSTEM } from './attributes.js'

/**
 * What telemetry keeps per service and method, made on its first call: the span name and the attribute objects every
 * span and metric of that method carries, built once (a call allocates none), and the calls in flight on each side,
 * which the in-flight gauges read when metrics are collected (no metric write per call for them).
 */
export class Site {
  /** `<service>/<method>`, the name of its client and server spans. */
  readonly spanName: string
  /** `rpc.system`, `rpc.service`, `rpc.method`. */
  readonly attributes: Attributes
  /** The same with `redrpc.outcome: 'ok'`: a successful call's duration. */
  readonly ok: Attributes
  /** Calls of this method running in this process' callers. */
  clientInFlight = 0
  /** Handler runs of this method running in this process' providers. */
  serverInFlight = 0
  readonly #failed = new Map<string, Attributes>()
  readonly #server = new Map<string, Attributes>()

  constructor(service: string, method: string) {
    this.spanName = `${service}/${method}`
    this.attributes = { 'rpc.system': RPC_SYSTEM, 'rpc.service': service, 'rpc.method': method }
    this.ok = { ...this.attributes, 'redrpc.outcome': 'ok' }
  }

  /** A failed call's duration attributes: `redrpc.outcome: 'error'` and `error.type` (one object per type). */
  failed(err: unknown): Attributes {
    const type = errorType(err)
    let attributes = this.#failed.get(type)
    if (attributes === undefined) {
      attributes = { ...this.attributes, 'redrpc.outcome': 'error', 'error.type': type }
      this.#failed.set(type, attributes)
    }
    return attributes
  }

  /** The server span's attributes on `provider`: the RPC ones and `redrpc.provider`. */
  server(provider: string): Attributes {
    let attributes = this.#server.get(provider)
    if (attributes === undefined) {
      attributes = { ...this.attributes, 'redrpc.provider': provider }
      this.#server.set(provider, attributes)
    }
    return attributes
  }
}

/** The sites of one RedRpc's telemetry, by service then method (two map reads per call, no key string built). */
export class Sites {
  readonly #byService = new Map<string, Map<string, Site>>()

  /** The site of `service`.`method`, made on first use. */
  of(service: string, method: string): Site {
    let methods = this.#byService.get(service)
    if (methods === undefined) {
      methods = new Map()
      this.#byService.set(service, methods)
    }
    let site = methods.get(method)
    if (site === undefined) {
      site = new Site(service, method)
      methods.set(method, site)
    }
    return site
  }

  /** Every site so far (for the in-flight gauges). */
  *all(): IterableIterator<Site> {
    for (const methods of this.#byService.values()) yield* methods.values()
  }
}
