export { FaultProxy, type FaultProxyOptions, type ProxyTarget } from './FaultProxy.js'
export { findRedisCli, findRedisServer, RedisNotFoundError } from './findRedisServer.js'
export { freePort } from './freePort.js'
export { type NetHost, type NetnsSupport, Network } from './Network.js'
export { listKitServers, PROCESS_MARKER } from './processRegistry.js'
export { type InstanceOptions, RedisInstance } from './RedisInstance.js'
export {
  type ReportingProcess,
  type ReportingProcessOptions,
  report,
  sharedNow,
  startReportingProcess,
} from './reportingProcess.js'
export { type RedisClusterHandle, type StartClusterOptions, startCluster } from './startCluster.js'
export { type RedisGroup, type StartRedisOptions, startRedis } from './startRedis.js'
export { type WaitForOptions, waitFor } from './waitFor.js'
