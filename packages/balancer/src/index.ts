export { DEFAULT_WEIGHT } from './endpoints.js'
export { InvalidEndpointError, UnknownPolicyError } from './errors.js'
export type {
  ConsistentHashOptions,
  LeastActiveOptions,
  P2COptions,
  PolicyOptionsMap,
  RandomOptions,
  RoundRobinOptions,
  ShortestResponseOptions,
} from './options.js'
export { DEFAULTS } from './options.js'
export {
  type BuiltinPolicyName,
  createBalancer,
  listPolicies,
  type OptionsOf,
  type PolicyFactory,
  registerPolicy,
} from './policyCatalog.js'
export { seededRandom } from './random.js'
export type { Clock, Endpoint, LoadBalancer, Outcome, PickContext, RandomSource } from './types.js'

/** The name this package is published under. */
export const packageName = '@org/balancer' as const
