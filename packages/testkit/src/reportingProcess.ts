import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { trackChild } from './processRegistry.js'

/**
 * A clock every process on this machine shares (ms, sub-millisecond, counted from an arbitrary point: the kernel's
 * monotonic clock, which every process reads alike), for comparing what several processes saw (overlaps, hand-offs)
 * on one machine. Never for expiry or liveness across machines. Not `performance.timeOrigin + performance.now()`:
 * `timeOrigin` is read once at start-up, and a process descheduled then is off by that much (12 and 40 ms were seen
 * under load, enough to make holds of other processes look overlapping).
 */
export const sharedNow = (): number => Number(process.hrtime.bigint()) / 1e6

/** How a child process reports to its test: one JSON object per line on stdout (bigints as decimal strings). */
export function report(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}\n`)
}

/** A child process that reports JSON lines, and what it reported so far. */
export interface ReportingProcess {
  readonly child: ChildProcess
  /** Every JSON line it printed, parsed, in order. */
  readonly messages: Record<string, unknown>[]
  /** Resolves with its exit code once it ended (its stderr is printed when it failed). */
  readonly exited: Promise<number | null>
}

/** Options of {@link startReportingProcess}. */
export interface ReportingProcessOptions {
  readonly cwd: string
  /** Added to this process' environment. */
  readonly env?: Record<string, string | number>
  /** Keep stdin open (a pipe) to send it lines; default closed. */
  readonly stdin?: boolean
  /** Names it in the error output. */
  readonly label: string
  /** Starts it another way, e.g. inside a network namespace with `Network.spawn`; default `child_process.spawn`. */
  readonly spawn?: (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess
}

/**
 * Starts a TypeScript fixture (run with `tsx`) that reports with {@link report}; it is killed when this process
 * exits. Lines that are not JSON count as errors and are printed, with its stderr, if it exits with a failure.
 */
export function startReportingProcess(fixture: string, options: ReportingProcessOptions): ReportingProcess {
  const env = Object.fromEntries(Object.entries(options.env ?? {}).map(([k, v]) => [k, String(v)]))
  const spawnOptions: SpawnOptions = {
    cwd: options.cwd,
    env: { ...process.env, ...env },
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  }
  const args = ['--import', 'tsx', fixture]
  const child = options.spawn
    ? options.spawn(process.execPath, args, spawnOptions)
    : spawn(process.execPath, args, spawnOptions)
  trackChild(child)
  const messages: Record<string, unknown>[] = []
  const errors: string[] = []
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      messages.push(JSON.parse(line))
    } catch {
      errors.push(line)
    }
  })
  child.stderr?.on('data', (chunk: Buffer) => errors.push(chunk.toString('utf8')))
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      if (code !== 0 && code !== null && errors.length > 0) console.error(`${options.label}:\n${errors.join('')}`)
      resolve(code)
    }),
  )
  return { child, messages, exited }
}
