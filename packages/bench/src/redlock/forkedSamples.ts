import { percentile } from '../shared/stats.js'
import { mergeReports, runForked } from './forkedRun.js'
import type { HoldTimes, WorkerReport } from './forkedWorker.js'
import { max } from './stats.js'

/** Raw results of one or more runs of one contender in worker processes (L4-L6). */
export interface ForkedSamples<A> {
  ms: number
  /** Acquisitions of every process, each run's sorted by `got`. */
  runs: { acquisitions: (A & { process: number })[]; ms: number }[]
  failures: number
}

/** Nothing measured yet. */
export function emptyForkedSamples<A>(): ForkedSamples<A> {
  return { ms: 0, runs: [], failures: 0 }
}

/** Runs one worker process per entry of `argsList` at once (`runForked`); adds what they did to `into`. */
export async function runInto<A extends { got: number }>(
  worker: string,
  argsList: readonly unknown[],
  durationMs: number,
  into: ForkedSamples<A>,
): Promise<void> {
  const all = await runForked<WorkerReport<A>>(worker, argsList, durationMs)
  const { acquisitions, failures } = mergeReports(all)
  into.runs.push({ acquisitions, ms: durationMs })
  into.ms += durationMs
  into.failures += failures
}

/** What every L4-L6 table reads of the holds it counts: how many, how long they were held and waited for, by whom. */
export class HoldTally {
  count = 0
  /** Sum of the holds' durations (ms). */
  held = 0
  readonly waits: number[] = []
  /** Acquisitions per process. */
  readonly shares: number[]

  constructor(processes: number) {
    this.shares = new Array<number>(processes).fill(0)
  }

  add(a: HoldTimes & { process: number }): void {
    this.count++
    this.shares[a.process] = (this.shares[a.process] ?? 0) + 1
    this.held += a.released - a.got
    this.waits.push(a.got - a.asked)
  }

  /** The wait percentiles and Jain's fairness index over the processes (1 = equal shares). */
  waitsAndFairness(): { waitP50: number; waitP99: number; waitMax: number; jain: number } {
    const { waits, shares } = this
    const sum = shares.reduce((a, b) => a + b, 0)
    const squares = shares.reduce((a, b) => a + b * b, 0)
    return {
      waitP50: percentile(waits, 0.5),
      waitP99: percentile(waits, 0.99),
      waitMax: max(waits),
      jain: squares === 0 ? 0 : (sum * sum) / (shares.length * squares),
    }
  }
}
