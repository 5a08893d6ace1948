/**
 * L4: contenders in separate processes, as service instances contend in production. Each process has its own lock
 * object and connections to the same three Redis servers; every worker holds the one resource about 1 ms (a timer),
 * releases, waits about 1 ms outside, and asks again.
 */
import { fileURLToPath } from 'node:url'
import { percentile } from '../shared/stats.js'
import { emptyForkedSamples, type ForkedSamples, HoldTally, runInto } from './forkedSamples.js'
import type { Acquisition, WorkerArgs } from './processWorker.js'

const WORKER = fileURLToPath(new URL('./processWorker.ts', import.meta.url))

/** The shape of one L4 run. */
export interface ProcessRun {
  contender: string
  processes: number
  workersPerProcess: number
  durationMs: number
  ports: number[]
}

/** Raw results of one or more runs of one contender. */
export type ProcessSamples = ForkedSamples<Acquisition>

/** Nothing measured yet. */
export const emptyProcessSamples: () => ProcessSamples = emptyForkedSamples

let serial = 0

/** Runs the contender in `processes` child processes at once; resolves with what they did. */
export async function runProcesses(run: ProcessRun, into: ProcessSamples): Promise<void> {
  serial++
  const args: WorkerArgs = {
    contender: run.contender,
    ports: run.ports,
    resource: `bench-l4-${process.pid}-${serial}`,
    workers: run.workersPerProcess,
    ttl: 10_000,
    holdMs: 1,
    pauseMs: 1,
  }
  await runInto(WORKER, new Array(run.processes).fill(args), run.durationMs, into)
}

/** What the L4 table shows of one contender. */
export interface ProcessSummary {
  acquisitionsPerSecond: number
  /** Sum of holds over the elapsed time. */
  heldShare: number
  /** From a release in one process to the next holder, in another process. */
  handoffP50: number
  handoffP99: number
  waitP50: number
  waitP99: number
  waitMax: number
  /** Jain's fairness index over the acquisitions of each process (1 = equal shares). */
  jain: number
  shares: number[]
  overlaps: number
  failures: number
  /** Holders whose fencing token was not above the previous holder's (ours only). */
  tokenRegressions: number
}

/** Reads the table's numbers out of the runs. */
export function summarize(samples: ProcessSamples, processes: number): ProcessSummary {
  const handoffs: number[] = []
  const tally = new HoldTally(processes)
  let overlaps = 0
  let tokenRegressions = 0
  for (const { acquisitions } of samples.runs) {
    let latestRelease = Number.NEGATIVE_INFINITY
    let previous: (typeof acquisitions)[number] | undefined
    for (const a of acquisitions) {
      tally.add(a)
      // Sorted by `got`: a holder that got the lock before the latest release among earlier holders overlapped.
      if (a.got < latestRelease) overlaps++
      latestRelease = Math.max(latestRelease, a.released)
      if (previous) {
        if (previous.process !== a.process) handoffs.push(a.got - previous.released)
        if (a.token !== undefined && previous.token !== undefined && BigInt(a.token) <= BigInt(previous.token)) {
          tokenRegressions++
        }
      }
      previous = a
    }
  }
  return {
    acquisitionsPerSecond: tally.count / (samples.ms / 1000),
    heldShare: tally.held / samples.ms,
    handoffP50: percentile(handoffs, 0.5),
    handoffP99: percentile(handoffs, 0.99),
    ...tally.waitsAndFairness(),
    shares: tally.shares,
    overlaps,
    failures: samples.failures,
    tokenRegressions,
  }
}
