import type { Logger } from './Logger.js'

/**
 * The logger `DEBUG=redrpc:*` turns on when no `logger` option is given: one line per entry on stderr, as the `debug`
 * package prints them (`redrpc:connection Redis connection lost {"redis":"127.0.0.1:6379"}`). `DEBUG` is a list of
 * patterns separated by commas or spaces, `*` matching anything and a leading `-` excluding: `redrpc:*,-redrpc:provider`.
 * Returns undefined when no pattern names a RedRpc topic, so logging costs nothing.
 */
export function debugLogger(
  debugEnv: string | undefined,
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger | undefined {
  if (!debugEnv) return undefined
  const patterns = debugEnv.split(/[\s,]+/).filter(Boolean)
  const include = patterns.filter((p) => !p.startsWith('-')).map(glob)
  const exclude = patterns.filter((p) => p.startsWith('-')).map((p) => glob(p.slice(1)))
  const enabled = (name: string) => include.some((r) => r.test(name)) && !exclude.some((r) => r.test(name))
  const topics = ['connection', 'provider', 'breaker', 'lock', 'warning', 'telemetry'].map((t) => `redrpc:${t}`)
  if (!topics.some(enabled)) return undefined
  const line = (level: string) => (fields: Record<string, unknown>, message: string) => {
    const { name, ...rest } = fields
    if (typeof name !== 'string' || !enabled(name)) return
    const data = Object.keys(rest).length > 0 ? ` ${safeJson(rest)}` : ''
    write(`${new Date().toISOString()} ${name} ${level} ${message}${data}\n`)
  }
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') }
}

function glob(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')
  return new RegExp(`^${escaped}$`)
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}` : v instanceof Error ? v.message : v))
  } catch {
    return '[unprintable]'
  }
}
