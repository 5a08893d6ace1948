import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startReportingProcess, waitFor } from '@org/testkit'

/** One contender process (`fixtures/contender.ts`) and what it reported. */
export interface Contender {
  readonly child: ChildProcess
  readonly messages: Record<string, unknown>[]
  readonly exited: Promise<number | null>
  /** The acquisitions it reported, in order. */
  holds(): Hold[]
  /** Sends the line that starts a contender made with `GO_ON_STDIN`. */
  go(): void
}

/** One acquisition, on the clock every process shares. */
export interface Hold {
  process: number
  worker: number
  asked: number
  got: number
  released: number
  token: bigint
}

const fixture = fileURLToPath(new URL('./fixtures/contender.ts', import.meta.url))
const packageDir = fileURLToPath(new URL('..', import.meta.url))
const started: ChildProcess[] = []

/** Starts a contender process with the given environment; resolves once it is connected and ready. */
export async function startContender(index: number, env: Record<string, string | number>): Promise<Contender> {
  const { child, messages, exited } = startReportingProcess(fixture, {
    cwd: packageDir,
    env,
    stdin: true,
    label: `contender ${index}`,
  })
  started.push(child)
  const contender: Contender = {
    child,
    messages,
    exited,
    holds: () =>
      messages
        .filter((m) => m.type === 'hold')
        .map((m) => ({
          process: index,
          worker: m.worker as number,
          asked: m.asked as number,
          got: m.got as number,
          released: m.released as number,
          token: BigInt(m.token as string),
        })),
    go: () => child.stdin?.write('go\n'),
  }
  await waitFor(() => messages.some((m) => m.type === 'ready'), { timeoutMs: 15_000, what: `contender ${index} ready` })
  return contender
}

/** Kills every contender still running (afterEach). */
export function killContenders(): void {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
}

/** Holds of several processes in the order they got the lock; overlaps counted on the shared clock. */
export function merged(holds: Hold[]): { sorted: Hold[]; overlaps: number } {
  const sorted = [...holds].sort((a, b) => a.got - b.got)
  let overlaps = 0
  let latest = Number.NEGATIVE_INFINITY
  for (const h of sorted) {
    if (h.got < latest) overlaps++
    latest = Math.max(latest, h.released)
  }
  return { sorted, overlaps }
}
