import { accessSync, constants } from 'node:fs'
import { delimiter, dirname, join } from 'node:path'

/** Thrown when no usable `redis-server` (or `redis-cli`) binary can be found. */
export class RedisNotFoundError extends Error {
  override name = 'RedisNotFoundError'
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name)
  }
  return undefined
}

/** The `redis-server` binary: `$REDIS_SERVER` when set, else the first one on the PATH. */
export function findRedisServer(): string {
  const fromEnv = process.env.REDIS_SERVER
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv
    throw new RedisNotFoundError(
      `REDIS_SERVER is set to ${fromEnv}, which is not an executable file: point it at redis-server or unset it.`,
    )
  }
  const found = onPath('redis-server')
  if (found) return found
  throw new RedisNotFoundError(
    'redis-server was not found on the PATH: install it (Debian/Ubuntu: `apt-get install redis-server`, macOS: `brew install redis`) or set REDIS_SERVER to its path.',
  )
}

/** The `redis-cli` binary: `$REDIS_CLI`, else beside `redis-server`, else on the PATH. */
export function findRedisCli(): string {
  const fromEnv = process.env.REDIS_CLI
  if (fromEnv && isExecutable(fromEnv)) return fromEnv
  const beside = join(dirname(findRedisServer()), 'redis-cli')
  if (isExecutable(beside)) return beside
  const found = onPath('redis-cli')
  if (found) return found
  throw new RedisNotFoundError(
    'redis-cli was not found beside redis-server nor on the PATH: install it (Debian/Ubuntu: `apt-get install redis-tools`) or set REDIS_CLI to its path.',
  )
}
