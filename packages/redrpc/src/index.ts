// Thrown by registerLbPolicy and the constructor for an unknown policy name; re-exported so users need not depend
// on @org/balancer to catch it.
export { UnknownPolicyError } from '@org/balancer'
export { type BreakerOptions, type BreakerState, CircuitBreaker } from './CircuitBreaker.js'
export { redRpcCodec } from './codec.js'
export { CodecError } from './codecError.js'
export {
  BulkheadFullError,
  CallAbortedError,
  CallFailedError,
  type CallSite,
  CallTimeoutError,
  CircuitOpenError,
  ClosedError,
  CloseTimeoutError,
  NoProviderError,
  RedisUnavailableError,
  type RedisUnavailableReason,
  RedRpcError,
  RemoteCallError,
  ServiceConflictError,
  ServiceInUseError,
  UndeclaredResourceError,
  UnknownMethodError,
  UnknownServiceError,
  ValidationError,
  type ValidationIssue,
  WaitForServicesTimeoutError,
} from './errors.js'
export type {
  AdoptedEvent,
  BreakerEvent,
  CallEndEvent,
  CallEvent,
  ConnectionLostEvent,
  ConnectionRecoveredEvent,
  LockLostEvent,
  ProviderEvent,
  RedRpcEvents,
} from './events.js'
export type {
  CallAttempt,
  CallHook,
  CallHookContext,
  HandleHook,
  HandleHookContext,
  LockTrace,
  RedRpcHooks,
} from './hooks/index.js'
export type { Logger } from './logging/Logger.js'
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
  NestedCall,
  SchemaTypedMethods,
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
export type {
  InferSchemaInput,
  InferSchemaOutput,
  StandardSchemaIssue,
  StandardSchemaProps,
  StandardSchemaResult,
  StandardSchemaV1,
} from './standardSchema.js'
export type { TelemetryOptions } from './telemetry/TelemetryOptions.js'
export type { WaitForServicesOptions } from './waitForServices.js'
