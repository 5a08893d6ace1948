import { parseArgs } from 'node:util'

/** What the command line asked for. */
export interface CliArgs {
  command: string
  positionals: string[]
  redis: string[]
  namespace: string
  prefix: string
  json: boolean
  timeoutMs: number
  help: boolean
}

/** A mistake in the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** The usage text printed by `redrpc --help` and after a usage error. */
export const USAGE = `usage: redrpc <command> [options]

commands:
  services                        registered services, their methods and live providers
  providers <service>             live providers of a service
  call <service> <method> [json]  call a method with JSON params and print the result
  watch <service>                 print provider changes as they happen (Ctrl-C to stop)
  locks                           locks held now (one line per instance and resource)

options:
  --redis <url>      Redis to use (default redis://127.0.0.1:6379); repeat it for locks on several instances
  --namespace <ns>   RedRpc namespace (default redrpc)
  --prefix <p>       Redlock key prefix for locks (default redlock:)
  --timeout <ms>     call timeout (default 10000)
  --json             machine-readable output
  -h, --help         this text`

const ARITY: Record<string, [number, number]> = {
  services: [0, 0],
  providers: [1, 1],
  call: [2, 3],
  watch: [1, 1],
  locks: [0, 0],
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
    const arity = ARITY[command]
    if (!arity) throw new UsageError(command ? `unknown command '${command}'` : 'missing command')
    if (rest.length < arity[0] || rest.length > arity[1]) {
      throw new UsageError(
        `'${command}' takes ${arity[0] === arity[1] ? arity[0] : `${arity[0]} to ${arity[1]}`} argument(s), got ${rest.length}`,
      )
    }
  }
  const timeoutMs = Number(values.timeout ?? '10000')
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1)
    throw new UsageError(`--timeout must be a positive integer, got '${values.timeout}'`)
  return {
    command,
    positionals: rest,
    redis: values.redis && values.redis.length > 0 ? values.redis : ['redis://127.0.0.1:6379'],
    namespace: values.namespace ?? 'redrpc',
    prefix: values.prefix ?? 'redlock:',
    json: values.json === true,
    timeoutMs,
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
      help: { type: 'boolean', short: 'h' },
    },
  })
}
