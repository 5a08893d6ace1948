import { type RedisClient, runScript } from '@org/redis-core'
import { serviceKeys, servicesIndexKey } from '@org/registry'
import { UNREGISTER_SERVICE } from './serviceScripts.js'

/**
 * Removes a service's registry keys unless it has a live provider (or `force`), then takes its name out of the
 * services index (another slot in a Cluster, hence a second command; `listServices` skips a name without definition
 * in between). Resolves whether a definition was removed, and the providers that were live.
 */
export async function unregisterService(
  redis: RedisClient,
  namespace: string,
  service: string,
  force: boolean,
): Promise<{ removed: boolean; live: string[] }> {
  const keys = serviceKeys(namespace, service)
  const [removed, live] = await runScript<[number, string[]]>(
    redis,
    UNREGISTER_SERVICE,
    [keys.service, keys.alive, keys.providers, keys.owners],
    [force ? '1' : '0'],
  )
  if (live.length > 0 && !force) return { removed: false, live }
  await redis.srem(servicesIndexKey(namespace), service)
  return { removed: removed === 1, live }
}
