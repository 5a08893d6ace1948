/**
 * One contender process of L5/L6: its own lock objects and three connections, one worker per role given, run by
 * `forkedWorker.ts` (times on the clock every process shares, `sharedNow()`).
 */
import type { Held } from './contenders.js'
import { type ForkedArgs, type HoldTimes, runWorkerProcess } from './forkedWorker.js'
import { type Role, SHARE_CONTENDERS } from './shareContenders.js'

/** What the parent tells a worker process. */
export interface ShareWorkerArgs extends ForkedArgs {
  contender: string
  name: string
  /** One worker per entry. */
  roles: Role[]
  permits: number
  ttl: number
}

/** One acquisition, on the clock every process shares (the test kit's `sharedNow()`). */
export interface ShareAcquisition extends HoldTimes {
  role: Role
}

runWorkerProcess<ShareWorkerArgs, Held, ShareAcquisition>(async (args, clients) => {
  const make = SHARE_CONTENDERS[args.contender]
  if (!make) throw new Error(`unknown contender ${args.contender}`)
  const setup = { clients, permits: args.permits, ttl: args.ttl }
  // Warm-up on a name of its own: scripts loaded, code optimised.
  const warm = make({ ...setup, name: `${args.name}:warm:${process.pid}` })
  for (let i = 0; i < 30; i++) await (await warm.acquire(args.roles[0]!, performance.now() + 5_000)).release()
  await warm.close()
  const contender = make({ ...setup, name: args.name })
  const holders = args.roles.map((role) => ({
    acquire: (end: number) => contender.acquire(role, end),
    record: (_held: Held, times: HoldTimes): ShareAcquisition => ({ role, ...times }),
  }))
  return { holders, close: () => contender.close() }
})
