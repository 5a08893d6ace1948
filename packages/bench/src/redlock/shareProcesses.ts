/**
 * L5/L6: holders of a semaphore or a read-write lock in separate processes, as service instances share a rate limit
 * or a document in production. Runs the processes of one contender at once and reads the table's numbers out.
 */
import { fileURLToPath } from 'node:url'
import { emptyForkedSamples, type ForkedSamples, HoldTally, runInto } from './forkedSamples.js'
import type { Role } from './shareContenders.js'
import type { ShareAcquisition, ShareWorkerArgs } from './shareWorker.js'

const WORKER = fileURLToPath(new URL('./shareWorker.ts', import.meta.url))

/** The shape of one run: the roles of each process' workers. */
export interface ShareRun {
  contender: string
  ports: number[]
  /** Per process, one role per worker. */
  processes: Role[][]
  permits: number
  durationMs: number
}

/** Raw results of one or more runs of one contender. */
export type ShareSamples = ForkedSamples<ShareAcquisition>

/** Nothing measured yet. */
export const emptyShareSamples: () => ShareSamples = emptyForkedSamples

let serial = 0

/** Runs the contender's processes at once; adds what they did to `into`. */
export async function runShareProcesses(run: ShareRun, into: ShareSamples): Promise<void> {
  serial++
  const base = { contender: run.contender, ports: run.ports, name: `bench-share-${process.pid}-${serial}` }
  const argsList = run.processes.map(
    (roles): ShareWorkerArgs => ({ ...base, roles, permits: run.permits, ttl: 10_000, holdMs: 1, pauseMs: 1 }),
  )
  await runInto(WORKER, argsList, run.durationMs, into)
}

/** What the tables show of one contender, for the acquisitions of the roles asked for. */
export interface ShareSummary {
  acquisitionsPerSecond: number
  /** Sum of holds over the elapsed time: permits (or readers) in use on average. */
  inUse: number
  /** The most holds at once, on the shared clock. */
  most: number
  waitP50: number
  waitP99: number
  waitMax: number
  /** Jain's fairness index over the acquisitions of each process. */
  jain: number
  /** Holds that shared time with a writer (L6; 0 for L5). */
  writerOverlaps: number
  failures: number
}

/** Reads the numbers of `roles` out of the runs (all roles count for `most` and `writerOverlaps`). */
export function summarizeShares(samples: ShareSamples, processes: number, roles: Role[]): ShareSummary {
  const tally = new HoldTally(processes)
  let most = 0
  let writerOverlaps = 0
  for (const { acquisitions } of samples.runs) {
    for (const a of acquisitions) {
      if (roles.includes(a.role)) tally.add(a)
    }
    const events = acquisitions.flatMap((a) => [
      { at: a.got, delta: 1 },
      { at: a.released, delta: -1 },
    ])
    events.sort((x, y) => x.at - y.at || x.delta - y.delta)
    let inside = 0
    for (const e of events) {
      inside += e.delta
      most = Math.max(most, inside)
    }
    // Sorted by `got`: a writer overlaps every hold that got in before it released, and those before it still held.
    for (let i = 0; i < acquisitions.length; i++) {
      const w = acquisitions[i]!
      if (w.role !== 'write') continue
      for (let j = 0; j < acquisitions.length; j++) {
        const h = acquisitions[j]!
        if (j !== i && h.got < w.released && w.got < h.released) writerOverlaps++
      }
    }
  }
  return {
    acquisitionsPerSecond: tally.count / (samples.ms / 1000),
    inUse: tally.held / samples.ms,
    most,
    ...tally.waitsAndFairness(),
    writerOverlaps,
    failures: samples.failures,
  }
}
