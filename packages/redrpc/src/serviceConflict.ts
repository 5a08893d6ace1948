import type { ServiceDefinition } from '@org/registry'
import { readMethodInfos } from './serviceMetadata.js'

/** The part of a service's definition that `registerService` writes. */
export interface ServiceDraft {
  version: string
  methods: string[]
  metadata: Record<string, unknown>
}

/**
 * What differs between the definition stored in the registry and the one being registered, in words (empty when they
 * are the same). Methods are compared as a set with their settings (idempotent, locked, timeoutMs, retries), then the
 * version, then the owner's metadata; the order of methods and of keys does not matter.
 */
export function definitionDifferences(stored: ServiceDefinition, next: ServiceDraft): string[] {
  const differences: string[] = []
  const before = readMethodInfos(stored)
  const after = readMethodInfos(next)
  const added = [...after.keys()].filter((m) => !before.has(m))
  const removed = [...before.keys()].filter((m) => !after.has(m))
  if (added.length > 0) differences.push(`methods added: ${added.join(', ')}`)
  if (removed.length > 0) differences.push(`methods removed: ${removed.join(', ')}`)
  for (const [name, info] of after) {
    const old = before.get(name)
    if (!old) continue
    for (const setting of ['locked', 'idempotent', 'timeoutMs', 'retries'] as const) {
      if (old[setting] !== info[setting]) {
        differences.push(`${name}.${setting}: ${String(old[setting])} -> ${String(info[setting])}`)
      }
    }
  }
  if (stored.version !== next.version) differences.push(`version: ${stored.version} -> ${next.version}`)
  const { redrpc: _a, ...ownBefore } = stored.metadata
  const { redrpc: _b, ...ownAfter } = next.metadata
  if (canonical(ownBefore) !== canonical(ownAfter)) differences.push('metadata differs')
  return differences
}

/** JSON with object keys sorted, so that key order does not count as a difference. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  )
}
