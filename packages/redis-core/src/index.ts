export { type ConnectionFailure, connectionFailure, nodeAddresses } from './address.js'
export { Deadlines, type DeadlinesOptions, type Timed } from './Deadlines.js'
export { RedisCoreError } from './errors.js'
export { type Core, composeHooks, type Dispatch, type Hook } from './hooks.js'
export { pendingReplies, type ReadyCommandOptions, sendReadyCommand } from './ioredisInternals.js'
export { isThenable } from './isThenable.js'
export { hashTag, keyPart, PART_SEPARATOR, unescapeKeyPart } from './keys.js'
export { DEFAULT_NAMESPACE } from './namespace.js'
export { assertClient, duplicateClient, isCluster, isRedisClient, type RedisClient } from './RedisClient.js'
export { forgetScripts, pipelineScript, runScript, type ScriptArg } from './scripts/runScript.js'
export { defineScript, isNoScript, type Script, type ScriptDefinition } from './scripts/Script.js'
export { crc16Step, keySlot, SLOTS, tagSlot } from './slot.js'
export {
  assertFunction,
  assertInteger,
  assertKnownKeys,
  assertName,
  assertNumber,
  assertObject,
  assertTimeout,
  describe,
  type IntegerBounds,
  MAX_TIMER_MS,
  NAME_MAX_LENGTH,
  type NameRule,
  type NumberBounds,
  PRINTABLE_NAME,
  SIMPLE_NAME,
} from './validate.js'

/** The name this package is published under. */
export const packageName = '@org/redis-core' as const
