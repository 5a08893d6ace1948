import { hashTag, keyPart } from '@org/redis-core'

/**
 * Key names. User-given names enter keys through the core's injective mapping, so service `a:b` with provider `p` and
 * service `a` with provider `b:p` never share an inbox, and usual names read as written. Each inbox's keys share one
 * hash tag (`{service/provider}`), so on a Redis Cluster an inbox and its cancel stream live in one slot; each client's
 * reply stream has its own tag, so replies route to wherever it lives.
 */

/** The consumer group every inbox has; each provider reads as a consumer named after itself. */
export const GROUP = 'providers'

/** The stream of requests addressed to one provider. */
export function inboxKey(namespace: string, service: string, providerId: string): string {
  return `${keyPart(namespace)}:inbox:${hashTag(service, providerId)}`
}

/** The stream where callers post cancellations for one provider (best effort, not crash-safe). */
export function cancelKey(namespace: string, service: string, providerId: string): string {
  return `${keyPart(namespace)}:cancel:${hashTag(service, providerId)}`
}

/** The stream where providers post the replies for one client. */
export function replyKey(namespace: string, clientId: string): string {
  return `${replyKeyPrefix(namespace)}${keyPart(clientId)}}`
}

/** What every reply stream of a namespace starts with (`{ns}:reply:{`): providers reply to no other key. */
export function replyKeyPrefix(namespace: string): string {
  return `${keyPart(namespace)}:reply:{`
}

/**
 * The dead-letter stream of one inbox: requests that could not be answered as asked (malformed, or a reply Redis
 * refused) are recorded here when they are settled. It shares the inbox's hash tag, so on a Cluster a dead letter and
 * the ack that follows it go to the same node, in order.
 */
export function deadLetterKey(namespace: string, service: string, providerId: string): string {
  return `${keyPart(namespace)}:dead:${hashTag(service, providerId)}`
}
