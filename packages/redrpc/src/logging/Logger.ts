/**
 * What the `logger` option takes: pino, console, or anything with these four methods. RedRpc calls them as pino
 * does, `logger.warn(fields, message)`: structured with pino, readable with console.
 */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void
  info(fields: Record<string, unknown>, message: string): void
  warn(fields: Record<string, unknown>, message: string): void
  error(fields: Record<string, unknown>, message: string): void
}

/** The topics RedRpc logs under, as `redrpc:<topic>` (what `DEBUG` patterns match). */
export type LogTopic = 'connection' | 'provider' | 'breaker' | 'lock' | 'warning' | 'telemetry'

/** RedRpc's own log: a topic on every line; a logger only exists when the user gave one or turned `DEBUG` on. */
export class Log {
  readonly #logger: Logger

  constructor(logger: Logger) {
    this.#logger = logger
  }

  debug(topic: LogTopic, message: string, fields: Record<string, unknown> = {}): void {
    this.#write('debug', topic, message, fields)
  }

  info(topic: LogTopic, message: string, fields: Record<string, unknown> = {}): void {
    this.#write('info', topic, message, fields)
  }

  warn(topic: LogTopic, message: string, fields: Record<string, unknown> = {}): void {
    this.#write('warn', topic, message, fields)
  }

  error(topic: LogTopic, message: string, fields: Record<string, unknown> = {}): void {
    this.#write('error', topic, message, fields)
  }

  #write(level: keyof Logger, topic: LogTopic, message: string, fields: Record<string, unknown>): void {
    try {
      this.#logger[level]({ name: `redrpc:${topic}`, ...fields }, message)
    } catch {
      // A logger that throws must not break a call, a watch or a provider.
    }
  }
}

/** Throws a TypeError unless `value` has the four methods of a `Logger`. */
export function assertLogger(value: unknown): asserts value is Logger {
  const missing = ['debug', 'info', 'warn', 'error'].filter(
    (m) => typeof (value as Record<string, unknown> | null)?.[m] !== 'function',
  )
  if (value === null || typeof value !== 'object' || missing.length > 0) {
    throw new TypeError(
      `options.logger must have debug, info, warn and error methods (pino, console); missing ${missing}`,
    )
  }
}
