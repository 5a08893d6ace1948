import type { Redis } from 'ioredis'
import { type ProviderView, readSystem, type ServiceView, type SystemView } from '../summary/readSystem.js'
import type { CliArgs } from './args.js'
import type { CliIO } from './commands.js'
import { connect } from './connect.js'
import { table, toJson } from './table.js'

/** ANSI: clear the screen and go home, so each refresh replaces the last one. */
const CLEAR = '\x1b[2J\x1b[H'

/** `redrpc top`: services and providers with their live summaries, refreshed every `--interval` until stopped. */
export async function top(args: CliArgs, io: CliIO): Promise<void> {
  const redis = await connect(args.redis[0] as string, !args.once)
  try {
    if (args.once) return io.out(await render(redis, args))
    while (!io.signal.aborted) {
      const text = await render(redis, args).catch((err: Error) => `cannot read ${args.redis[0]}: ${err.message}`)
      io.out(args.json ? text : `${CLEAR}${text}\n\n(every ${args.intervalMs} ms; Ctrl-C to stop)`)
      await pause(args.intervalMs, io.signal)
    }
  } finally {
    redis.disconnect()
  }
}

async function render(redis: Redis, args: CliArgs): Promise<string> {
  const view = await readSystem(redis, args.namespace)
  return args.json ? toJson(view) : topTable(view)
}

/** One line per service (its totals), then one per provider, indented. */
export function topTable(view: SystemView): string {
  const rows = view.services.flatMap((s) => [serviceRow(s), ...s.providers.map(providerRow)])
  const headers = ['SERVICE/PROVIDER', 'STATUS', 'HEARTBEAT', 'CALLS/S', 'ERR/S', 'ERRORS', 'IN_FLIGHT', 'P50_MS']
  return table([...headers, 'P99_MS', 'BREAKER', 'VERSION'], rows)
}

function serviceRow(s: ServiceView): string[] {
  const up = s.providers.filter((p) => p.status === 'up').length
  return [s.name, `${up}/${s.providers.length} up`, '', num(s.callsPerSec), num(s.errorsPerSec), num(s.errors)].concat([
    num(s.inFlight),
    num(s.p50),
    num(s.p99),
    '',
    s.version,
  ])
}

function providerRow(p: ProviderView): string[] {
  const s = p.summary
  const age = p.heartbeatAgeMs === null ? '-' : `${p.heartbeatAgeMs} ms`
  return [
    `  ${p.id}`,
    p.status,
    age,
    num(s?.callsPerSec),
    num(s?.errorsPerSec),
    num(s?.errors),
    num(s?.inFlight),
  ].concat([num(s?.p50), num(s?.p99), p.breaker, s?.version ?? ''])
}

function num(n: number | null | undefined): string {
  return n === null || n === undefined ? '-' : String(n)
}

/** Resolves after `ms`, or at once when the command is stopped. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}
