/**
 * One contender process of L4: its own lock object and its own three connections, `workers` workers on one
 * resource. It connects and warms up, says `ready`, waits for `go` (with the common start and end on the shared
 * clock), runs, and sends back one record per acquisition. Times are on a clock every process on this machine
 * shares: the test kit's `sharedNow()` (the kernel's monotonic clock, in ms, sub-millisecond).
 */
import { sharedNow } from '@org/testkit'
import { Redis } from 'ioredis'
import { CONTENDERS } from './contenders.js'

/** What the parent tells a worker process. */
export interface WorkerArgs {
  contender: string
  ports: number[]
  resource: string
  workers: number
  ttl: number
  holdMs: number
  pauseMs: number
}

/** One acquisition, on the shared clock. */
export interface Acquisition {
  worker: number
  /** First ask of this acquisition (failed attempts in between included). */
  asked: number
  got: number
  /** When the holder started its release (end of the hold). */
  released: number
  /** Ours only, as a decimal string. */
  token?: string
}

/** What a worker process sends back. */
export interface WorkerReport {
  acquisitions: Acquisition[]
  failures: number
}

const now = sharedNow
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] as string) as WorkerArgs
  const make = CONTENDERS[args.contender]
  if (!make) throw new Error(`unknown contender ${args.contender}`)
  const clients = args.ports.map((port) => new Redis(port))
  await Promise.all(clients.map((c) => c.ping()))
  const contender = make(clients)
  // Warm-up on a resource of its own: scripts loaded, code optimised.
  for (let i = 0; i < 50; i++)
    await (await contender.acquire(`${args.resource}:warm:${process.pid}`, args.ttl)).release()
  process.send?.('ready')
  const go = await new Promise<{ start: number; end: number }>((resolve) => process.once('message', resolve as never))
  await sleep(Math.max(0, go.start - now()))
  const report: WorkerReport = { acquisitions: [], failures: 0 }
  const endLocal = performance.now() + (go.end - now())
  await Promise.all(
    Array.from({ length: args.workers }, async (_, worker) => {
      let asked: number | undefined
      while (performance.now() < endLocal) {
        asked ??= now()
        let lock: Awaited<ReturnType<typeof contender.acquire>>
        try {
          lock = await contender.acquire(args.resource, args.ttl, endLocal)
        } catch {
          // An acquire cut short by the end of the run is not a failure of the lock.
          if (performance.now() < endLocal) report.failures++
          continue
        }
        const got = now()
        await sleep(args.holdMs)
        const released = now()
        const record: Acquisition = { worker, asked, got, released }
        if (lock.fencingToken !== undefined) record.token = String(lock.fencingToken)
        report.acquisitions.push(record)
        asked = undefined
        await lock.release().catch(() => {})
        await sleep(args.pauseMs)
      }
    }),
  )
  await new Promise<void>((resolve) => process.send?.(report, () => resolve()))
  await contender.close()
  for (const c of clients) c.disconnect()
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
