import { hashTag, keyPart } from '@org/redis-core'

/**
 * The live summary of one provider: `<ns>:{<service>}:summary:<provider>`, a JSON string with a ttl. It carries the
 * service's hash tag, like the registry's keys of that service, so a reader fetches a service's summaries from one
 * Cluster slot, and names enter it through the core's injective mapping, as in the registry.
 */
export function summaryKey(namespace: string, service: string, provider: string): string {
  return `${keyPart(namespace)}:${hashTag(service)}:summary:${keyPart(provider)}`
}
