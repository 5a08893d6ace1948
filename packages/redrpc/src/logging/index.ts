import { debugLogger } from './debugLogger.js'
import { assertLogger, Log, type Logger } from './Logger.js'

export { debugLogger } from './debugLogger.js'
export { Log, type Logger, type LogTopic } from './Logger.js'
export { logLifecycle } from './lifecycleLog.js'

/** The RedRpc's log: the `logger` option, else `DEBUG=redrpc:*` on stderr, else none (silent, and nothing listens). */
export function resolveLog(logger: Logger | undefined, env: NodeJS.ProcessEnv = process.env): Log | undefined {
  if (logger !== undefined) {
    assertLogger(logger)
    return new Log(logger)
  }
  const fromEnv = debugLogger(env.DEBUG)
  return fromEnv && new Log(fromEnv)
}
