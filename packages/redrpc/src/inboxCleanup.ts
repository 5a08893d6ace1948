import { hashTag, keyPart, type RedisClient, runScript } from '@org/redis-core'
import { REMOVE_EMPTY_INBOX } from './serviceScripts.js'

/**
 * The cancel stream beside a provider's inbox, as `@org/transport` names it (its README's key table:
 * `{ns}:cancel:{service/provider}`); the inbox key itself comes from the transport server.
 */
function cancelKey(namespace: string, service: string, providerId: string): string {
  return `${keyPart(namespace)}:cancel:${hashTag(service, providerId)}`
}

/**
 * After a clean stop (calls drained and answered, provider out of the registry): removes the provider's inbox and
 * cancel stream when no request is left in it, so a provider that stops leaves no key behind. An inbox that still
 * holds requests stays, for an adopter or for a restart of the same provider id. Resolves whether it removed them.
 */
export async function removeEmptyInbox(
  redis: RedisClient,
  namespace: string,
  service: string,
  providerId: string,
  inboxKey: string,
): Promise<boolean> {
  const keys = [inboxKey, cancelKey(namespace, service, providerId)]
  return (await runScript<number>(redis, REMOVE_EMPTY_INBOX, keys)) === 1
}
