import { fileURLToPath } from 'node:url'
import { type ReportingProcess, startReportingProcess, waitFor } from '@org/testkit'

/** One hold a contender process reported, on the clock every process shares. */
export interface ShareHold {
  process: number
  worker: number
  mode: 'read' | 'write' | 'permit'
  asked: number
  got: number
  released: number
  token: bigint
}

/** A contender process (`fixtures/shareContender.ts`) and what it reported. */
export interface ShareContender extends ReportingProcess {
  holds(): ShareHold[]
  failures(): Record<string, unknown>[]
  go(): void
}

const fixture = fileURLToPath(new URL('./fixtures/shareContender.ts', import.meta.url))
const packageDir = fileURLToPath(new URL('../..', import.meta.url))
const started: ReportingProcess['child'][] = []

/** Starts a contender with the given environment; resolves once it is connected and ready. */
export async function startShareContender(index: number, env: Record<string, string | number>) {
  const proc = startReportingProcess(fixture, { cwd: packageDir, env, stdin: true, label: `share contender ${index}` })
  started.push(proc.child)
  // The process' clock offset (see the fixture), taken off its times once it said it is ready.
  const offset = () => (proc.messages.find((m) => m.type === 'ready')?.clockOffset as number | undefined) ?? 0
  const contender: ShareContender = {
    ...proc,
    holds: () =>
      proc.messages
        .filter((m) => m.type === 'hold')
        .map((m) => ({
          process: index,
          worker: m.worker as number,
          mode: m.mode as ShareHold['mode'],
          asked: (m.asked as number) - offset(),
          got: (m.got as number) - offset(),
          released: (m.released as number) - offset(),
          token: BigInt(m.token as string),
        })),
    failures: () => proc.messages.filter((m) => m.type === 'failure'),
    go: () => proc.child.stdin?.write('go\n'),
  }
  await waitFor(() => proc.messages.some((m) => m.type === 'ready'), { timeoutMs: 15_000, what: `contender ${index}` })
  return contender
}

/** Kills every contender still running (afterEach). */
export function killShareContenders(): void {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
}

/** Starts contenders together: each is ready before any starts, so none gets a head start. */
export async function runTogether(envs: Record<string, string | number>[]): Promise<ShareContender[]> {
  const contenders = await Promise.all(envs.map((env, i) => startShareContender(i, { GO_ON_STDIN: 1, ...env })))
  for (const c of contenders) c.go()
  return contenders
}

/** The most holds inside at once, and every pair of a writer and a hold that shared its time (on the shared clock). */
export function concurrency(holds: ShareHold[]): { most: number; writerOverlaps: string[] } {
  const events = holds.flatMap((h) => [
    { at: h.got, delta: 1, hold: h },
    { at: h.released, delta: -1, hold: h },
  ])
  // At equal times a release counts before an acquisition: the intervals are closed where they were measured.
  events.sort((a, b) => a.at - b.at || a.delta - b.delta)
  let inside = 0
  let most = 0
  for (const e of events) {
    inside += e.delta
    most = Math.max(most, inside)
  }
  const writerOverlaps: string[] = []
  const say = (h: ShareHold) =>
    `${h.mode} of process ${h.process}/${h.worker} ${h.got.toFixed(3)}-${h.released.toFixed(3)}`
  for (const w of holds) {
    if (w.mode !== 'write') continue
    for (const h of holds) {
      if (h !== w && h.got < w.released && w.got < h.released) writerOverlaps.push(`${say(w)} and ${say(h)}`)
    }
  }
  return { most, writerOverlaps }
}
