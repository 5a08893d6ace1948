export { type BreakerOptions, type BreakerState, CircuitBreaker } from './CircuitBreaker.js'
export { redRpcCodec } from './codec.js'
export {
  BulkheadFullError,
  CallAbortedError,
  CallFailedError,
  type CallSite,
  CallTimeoutError,
  CircuitOpenError,
  ClosedError,
  NoProviderError,
  RedRpcError,
  RemoteCallError,
  UndeclaredResourceError,
  UnknownMethodError,
  UnknownServiceError,
} from './errors.js'
export type {
  AdoptedEvent,
  BreakerEvent,
  CallEndEvent,
  CallEvent,
  LockLostEvent,
  ProviderEvent,
  RedRpcEvents,
} from './events.js'
export type {
  CallContext,
  Handler,
  LockedCallContext,
  LockSpec,
  MethodContext,
  MethodDefinition,
  MethodInfo,
  MethodSettings,
  MethodSpec,
  ServiceMethods,
} from './methods.js'
export { type CallDefaults, type CallOptions, DEFAULTS, type RedRpcOptions } from './options.js'
export { packageName } from './packageName.js'
export {
  type LbPolicyOptions,
  type ProviderOptions,
  RedRpc,
  type ServiceOptions,
  type ServiceRef,
} from './RedRpc.js'
export type { ParamsOf, ResultOf, ServiceApi, ServiceInstance, UntypedApi } from './ServiceInstance.js'
export type { CallStats, ProviderStats, ServiceStats, StatsSnapshot } from './Stats.js'
