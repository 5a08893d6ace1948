import type { ProviderInfo, RemovalReason } from './types.js'

/** A provider event as published by the scripts, with each record kept as its canonical JSON. */
export interface ProviderEvent {
  type: 'added' | 'updated' | 'removed'
  reason: RemovalReason | undefined
  /** id -> record JSON */
  records: [string, string][]
}

/**
 * The one JSON form of a record. Records are compared as strings, and `JSON.stringify(JSON.parse(s)) === s` for
 * anything JSON.stringify wrote, so records read back from events and from lists compare equal.
 */
export function encodeRecord(info: ProviderInfo): string {
  return JSON.stringify({ id: info.id, service: info.service, weight: info.weight, metadata: info.metadata })
}

/** Parses a record read from Redis. */
export function decodeRecord(json: string): ProviderInfo {
  return JSON.parse(json) as ProviderInfo
}

/** `[id, json]` of a record read from Redis. */
export function recordEntry(json: string): [string, string] {
  return [decodeRecord(json).id, json]
}

/** Parses a message of a service channel; undefined when it is not one of ours. */
export function parseEvent(message: string): ProviderEvent | undefined {
  let raw: { type?: unknown; reason?: unknown; providers?: unknown }
  try {
    raw = JSON.parse(message)
  } catch {
    return undefined
  }
  if (raw.type !== 'added' && raw.type !== 'updated' && raw.type !== 'removed') return undefined
  if (!Array.isArray(raw.providers)) return undefined
  const reason = raw.type === 'removed' ? ((raw.reason as RemovalReason | undefined) ?? 'vanished') : undefined
  // Anyone can publish on the channel: keep only what looks like a record.
  const records = raw.providers
    .filter((p: unknown): p is ProviderInfo => typeof (p as ProviderInfo | null)?.id === 'string')
    .map((p): [string, string] => [p.id, encodeRecord(p)])
  return { type: raw.type, reason, records }
}

/** Sorts providers by id, the order every list and event uses. */
export function byId<T extends { id: string }>(items: T[]): T[] {
  return items.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}
