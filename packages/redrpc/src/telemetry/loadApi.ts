import type * as OtelApiModule from '@opentelemetry/api'

/** The `@opentelemetry/api` module, when installed. */
export type OtelApi = typeof OtelApiModule

const API = '@opentelemetry/api'
let shared: Promise<OtelApi | undefined> | undefined

/**
 * Loads `@opentelemetry/api` (an optional peer dependency) on first use, once per process; resolves undefined when it
 * is not installed. A dynamic import, so the ESM and the CJS builds both resolve it from this package's own folder and
 * neither needs `import.meta` or `require`; the specifier is a variable so no bundler pulls it in. `specifier` is
 * for tests (a name that is not installed).
 */
export function loadOpenTelemetry(specifier: string = API): Promise<OtelApi | undefined> {
  if (specifier !== API) return load(specifier)
  shared ??= load(specifier)
  return shared
}

async function load(specifier: string): Promise<OtelApi | undefined> {
  try {
    const loaded = (await import(specifier)) as OtelApi & { default?: OtelApi }
    // Node hands a CommonJS build to `import` as `default` (with named exports when it can tell them).
    const api = typeof loaded.trace?.getTracer === 'function' ? loaded : loaded.default
    return typeof api?.trace?.getTracer === 'function' ? api : undefined
  } catch {
    return undefined
  }
}
