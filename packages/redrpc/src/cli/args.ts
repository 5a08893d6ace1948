import { parseArgs } from 'node:util'
import { DEFAULT_NAMESPACE } from '@org/redis-core'

/** What the command line asked for. */
export interface CliArgs {
  command: string
  positionals: string[]
  redis: string[]
  namespace: string
  prefix: string
  json: boolean
  timeoutMs: number
  /** `services --stale`: only services with no live provider. */
  stale: boolean
  /** `unregister --force`: even with live providers. */
  force: boolean
  /** `top`/`dashboard`: refresh period (ms). */
  intervalMs: number
  /** `top --once`: print once and exit. */
  once: boolean
  /** `dashboard`: where to listen. */
  port: number
  host: string
  /** `dashboard`: the Redlock's Redis servers, whose locks it shows (none: no lock table). */
  locks: string[]
  help: boolean
}

/** A mistake in the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** The usage text printed by `redrpc --help` and after a usage error. */
export const USAGE = `usage: redrpc <command> [options]

commands:
  services [--stale]              registered services, their methods and live providers (--stale: none live)
  unregister <service> [--force]  remove a service with no live provider (--force: even with live ones)
  providers <service>             live providers of a service
  call <service> <method> [json]  call a method with JSON params and print the result
  watch <service>                 print provider changes as they happen (Ctrl-C to stop)
  locks                           locks held now (one line per instance and resource)
  top [--once]                    services and providers with calls/s, errors, p50/p99, in flight (refreshing)
  dashboard [--port 7070]         a read-only live page of services, providers and locks (Ctrl-C to stop)

options:
  --redis <url>      Redis to use (default redis://127.0.0.1:6379); repeat it for locks on several instances
  --namespace <ns>   RedRpc namespace (default redrpc)
  --prefix <p>       Redlock key prefix for locks (default redlock:)
  --timeout <ms>     call timeout (default 10000)
  --json             machine-readable output
  --stale            services: only those with no live provider
  --force            unregister: also a service with live providers
  --interval <ms>    top, dashboard: refresh period (default 1000)
  --once             top: print once and exit
  --port <n>         dashboard: port (default 7070; 0 picks a free one)
  --host <addr>      dashboard: address to bind (default 127.0.0.1: this machine only)
  --locks <url>      dashboard: a Redis of the Redlock, to show its locks; repeat it per instance
  -h, --help         this text`

/** The arguments of each command, in order; a name in brackets is optional. */
const ARGUMENTS: Record<string, readonly string[]> = {
  services: [],
  providers: ['<service>'],
  call: ['<service>', '<method>', '[json]'],
  watch: ['<service>'],
  locks: [],
  unregister: ['<service>'],
  top: [],
  dashboard: [],
}

/** One wording per mistake, whatever the command: `missing <service>`, `unexpected argument 'x'`, plus its usage. */
function checkArguments(command: string, given: readonly string[]): void {
  const expected = ARGUMENTS[command] as readonly string[]
  const usage = `usage: redrpc ${[command, ...expected].join(' ')}`
  const missing = expected.slice(given.length).find((a) => a.startsWith('<'))
  if (missing) throw new UsageError(`missing ${missing} (${usage})`)
  const extra = given[expected.length]
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}' (${usage})`)
}

/** Parses `argv` (without node and the script) with node's own `util.parseArgs`. */
export function parseCli(argv: string[]): CliArgs {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv)
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  const { values, positionals } = parsed
  const [command = '', ...rest] = positionals
  const help = values.help === true
  if (!help) {
    if (!Object.hasOwn(ARGUMENTS, command)) {
      throw new UsageError(command ? `unknown command '${command}'` : 'missing command')
    }
    checkArguments(command, rest)
  }
  const timeoutMs = Number(values.timeout ?? '10000')
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1)
    throw new UsageError(`--timeout must be a positive integer, got '${values.timeout}'`)
  const intervalMs = Number(values.interval ?? '1000')
  if (!Number.isInteger(intervalMs) || intervalMs < 100)
    throw new UsageError(`--interval must be an integer >= 100, got '${values.interval}'`)
  const port = Number(values.port ?? '7070')
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError(`--port must be an integer from 0 to 65535, got '${values.port}'`)
  return {
    command,
    positionals: rest,
    redis: values.redis && values.redis.length > 0 ? values.redis : ['redis://127.0.0.1:6379'],
    namespace: values.namespace ?? DEFAULT_NAMESPACE,
    prefix: values.prefix ?? 'redlock:',
    json: values.json === true,
    timeoutMs,
    stale: values.stale === true,
    force: values.force === true,
    intervalMs,
    once: values.once === true,
    port,
    host: values.host ?? '127.0.0.1',
    locks: values.locks ?? [],
    help,
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      redis: { type: 'string', multiple: true },
      namespace: { type: 'string' },
      prefix: { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
      stale: { type: 'boolean' },
      force: { type: 'boolean' },
      interval: { type: 'string' },
      once: { type: 'boolean' },
      port: { type: 'string' },
      host: { type: 'string' },
      locks: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  })
}
