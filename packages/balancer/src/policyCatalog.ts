import { UnknownPolicyError } from './errors.js'
import type { PolicyOptionsMap } from './options.js'
import { ConsistentHash } from './policies/ConsistentHash.js'
import { LeastActive } from './policies/LeastActive.js'
import { P2C } from './policies/P2C.js'
import { Random } from './policies/Random.js'
import { RoundRobin } from './policies/RoundRobin.js'
import { ShortestResponse } from './policies/ShortestResponse.js'
import type { Endpoint, LoadBalancer } from './types.js'

/**
 * Makes a balancer of one policy from the options given to `createBalancer` (`{}` when none). The balancer's
 * `pick` must return an element of the list it is given, or `undefined`.
 */
// biome-ignore lint/suspicious/noExplicitAny: a factory accepts whatever options its own policy defines
export type PolicyFactory<O = any> = (options: O) => LoadBalancer<Endpoint>

/** Name of a built-in policy, in its canonical spelling. */
export type BuiltinPolicyName = keyof PolicyOptionsMap

/** The options `createBalancer(name, options)` accepts: typed for names of `PolicyOptionsMap`, any object otherwise. */
export type OptionsOf<N extends string> = N extends keyof PolicyOptionsMap ? PolicyOptionsMap[N] : object

interface Registered {
  name: string
  factory: PolicyFactory
}

const policies = new Map<string, Registered>()

/** 'Round_Robin', 'round-robin' and 'ROUNDROBIN' all name the same policy. */
function normalize(name: string): string {
  return name.toLowerCase().replace(/[\s_-]/g, '')
}

function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string') throw new TypeError(`${what} must be a string, got ${typeof name}`)
  const key = normalize(name)
  if (key.length === 0) throw new RangeError(`${what} must not be empty`)
  return key
}

/**
 * Registers a policy under `name` (case-insensitive; `_`, `-` and spaces are ignored), so that
 * `createBalancer(name, options)` calls `factory(options)`. Throws a RangeError when the name is taken.
 */
export function registerPolicy<O = Record<string, unknown>>(name: string, factory: PolicyFactory<O>): void {
  const key = checkName(name, 'policy name')
  if (typeof factory !== 'function') throw new TypeError(`factory of policy '${name}' must be a function`)
  const existing = policies.get(key)
  if (existing !== undefined) throw new RangeError(`policy '${name}' is already registered (as '${existing.name}')`)
  policies.set(key, { name, factory })
}

/** Names of every registered policy, built-ins first, as they were registered: `['RoundRobin', 'Random', ...]`. */
export function listPolicies(): string[] {
  return Array.from(policies.values(), (policy) => policy.name)
}

/**
 * Creates a balancer of the named policy (case-insensitive: 'RoundRobin', 'roundrobin', 'round_robin').
 * Each balancer keeps its own per-endpoint state: create one per service. Throws `UnknownPolicyError`
 * (listing the known names) for an unregistered name, and a TypeError or RangeError for bad options.
 */
export function createBalancer<E extends Endpoint = Endpoint, N extends string = string>(
  name: N,
  options?: OptionsOf<N>,
): LoadBalancer<E> {
  const key = checkName(name, 'policy name')
  const policy = policies.get(key)
  if (policy === undefined) throw new UnknownPolicyError(name, listPolicies())
  // Built-in policies only ever return elements of the list they are given, so they serve any E.
  return policy.factory(options ?? {}) as unknown as LoadBalancer<E>
}

registerPolicy('RoundRobin', (options) => new RoundRobin(options))
registerPolicy('Random', (options) => new Random(options))
registerPolicy('LeastActive', (options) => new LeastActive(options))
registerPolicy('P2C', (options) => new P2C(options))
registerPolicy('ConsistentHash', (options) => new ConsistentHash(options))
registerPolicy('ShortestResponse', (options) => new ShortestResponse(options))
