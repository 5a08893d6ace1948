import type { MethodInfo, NormalizedMethod } from './methods.js'

/**
 * Method settings travel in the service's registry metadata under this key, so a caller in another process knows
 * which methods are idempotent (and may be retried) and their default timeouts without sharing code.
 */
const KEY = 'redrpc'

/** The metadata to store with a service: the owner's own plus the method settings. */
export function writeMethodInfos(
  metadata: Record<string, unknown>,
  methods: readonly NormalizedMethod[],
): Record<string, unknown> {
  return { ...metadata, [KEY]: { methods: Object.fromEntries(methods.map((m) => [m.name, m.info])) } }
}

/** The methods of a registered service; methods without stored settings are plain, non-idempotent ones. */
export function readMethodInfos(definition: {
  methods: string[]
  metadata: Record<string, unknown>
}): Map<string, MethodInfo> {
  const stored = (definition.metadata[KEY] as { methods?: Record<string, MethodInfo> } | undefined)?.methods ?? {}
  return new Map(definition.methods.map((name) => [name, stored[name] ?? { idempotent: false, locked: false }]))
}
