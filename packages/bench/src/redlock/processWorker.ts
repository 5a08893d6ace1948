/**
 * One contender process of L4: its own lock object and its own three connections, `workers` workers on one
 * resource, run by `forkedWorker.ts` (times on the clock every process shares, `sharedNow()`).
 */
import { CONTENDERS, type Held } from './contenders.js'
import { type ForkedArgs, type HoldTimes, runWorkerProcess } from './forkedWorker.js'

/** What the parent tells a worker process. */
export interface WorkerArgs extends ForkedArgs {
  contender: string
  resource: string
  workers: number
  ttl: number
}

/** One acquisition, on the shared clock. */
export interface Acquisition extends HoldTimes {
  worker: number
  /** Ours only, as a decimal string. */
  token?: string
}

runWorkerProcess<WorkerArgs, Held, Acquisition>(async (args, clients) => {
  const make = CONTENDERS[args.contender]
  if (!make) throw new Error(`unknown contender ${args.contender}`)
  const contender = make(clients)
  // Warm-up on a resource of its own: scripts loaded, code optimised.
  for (let i = 0; i < 50; i++)
    await (await contender.acquire(`${args.resource}:warm:${process.pid}`, args.ttl)).release()
  const holders = Array.from({ length: args.workers }, (_, worker) => ({
    acquire: (end: number) => contender.acquire(args.resource, args.ttl, end),
    record: (lock: Held, times: HoldTimes): Acquisition => {
      const record: Acquisition = { worker, ...times }
      if (lock.fencingToken !== undefined) record.token = String(lock.fencingToken)
      return record
    },
  }))
  return { holders, close: () => contender.close() }
})
