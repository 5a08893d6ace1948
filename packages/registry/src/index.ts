export {
  DuplicateProviderError,
  ProviderLostError,
  RegistryClosedError,
  ServiceChangedError,
  UnknownServiceError,
} from './errors.js'
export { type ServiceKeys, serviceKeys, servicesIndexKey } from './keys.js'
export { DEFAULTS, NAME_MAX_LENGTH, type RegistryOptions } from './options.js'
export { ProviderHandle } from './ProviderHandle.js'
export { packageName } from './packageName.js'
export { Registry } from './Registry.js'
export type {
  ProviderChange,
  ProviderInfo,
  ProviderInput,
  ProviderUpdate,
  RegisterServiceOptions,
  RemovalReason,
  RemovedProvider,
  ServiceDefinition,
  ServiceInput,
  WatchListener,
} from './types.js'
export { Watch } from './Watch.js'
