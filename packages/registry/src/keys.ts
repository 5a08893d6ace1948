import { hashTag, keyPart } from '@org/redis-core'

/**
 * Where everything lives in Redis. Names enter keys through the core's injective mapping (`keyPart`, `hashTag`), so
 * two different names never share a key; names as the registry accepts them (`[A-Za-z0-9._:-]`) are kept as written.
 * Every key of one service carries the hash tag `{<service>}`, so a Cluster keeps them in one slot (one script can
 * touch them all) while different services spread over the slots.
 */
export interface ServiceKeys {
  /** STRING: the service definition, JSON. */
  service: string
  /** ZSET: provider id -> deadline (Redis-clock ms after which it is dead). */
  alive: string
  /** HASH: provider id -> provider record, JSON. */
  providers: string
  /** HASH: provider id -> id of the registry (process) that holds it. */
  owners: string
  /** Pub/sub channel of the service's provider events. */
  channel: string
}

/** The keys of one service. */
export function serviceKeys(namespace: string, service: string): ServiceKeys {
  const base = `${keyPart(namespace)}:${hashTag(service)}`
  return {
    service: `${base}:service`,
    alive: `${base}:alive`,
    providers: `${base}:providers`,
    owners: `${base}:owners`,
    channel: `${base}:events`,
  }
}

/** SET of every registered service name (its own slot in a Cluster). */
export function servicesIndexKey(namespace: string): string {
  return `${keyPart(namespace)}:services`
}
