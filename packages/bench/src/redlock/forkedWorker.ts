/**
 * The child's side of `runForked` (L4-L6): it reads its arguments, connects to the Redis servers, lets the workload
 * prepare (its lock objects, a warm-up), says `ready`, waits for `go` (the common start and end on the clock every
 * process on this machine shares: the test kit's `sharedNow()`, the kernel's monotonic clock in ms), runs its holders
 * and sends back one record per acquisition. Every holder asks, holds `holdMs` (a timer), releases, and waits
 * `pauseMs` outside before asking again.
 */
import { sharedNow } from '@org/testkit'
import { Redis } from 'ioredis'

/** What every worker process is told, whatever its workload. */
export interface ForkedArgs {
  ports: number[]
  holdMs: number
  pauseMs: number
}

/** When one acquisition asked first (failed attempts in between included), got it, and started its release. */
export interface HoldTimes {
  asked: number
  got: number
  released: number
}

/** One holder: how it asks (until `end`, a `performance.now()` time), and the record of one of its holds. */
export interface Holder<H, R> {
  acquire(end: number): Promise<H>
  record(held: H, times: HoldTimes): R
}

/** What a worker process sends back: one record per acquisition, and how many acquires failed. */
export interface WorkerReport<R> {
  acquisitions: R[]
  failures: number
}

/** What a workload prepared: its holders, and how to close what it opened. */
export interface Prepared<H, R> {
  holders: Holder<H, R>[]
  close(): Promise<void>
}

const now = sharedNow
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Runs this process as one worker of `runForked`: `prepare` makes the holders once connected. */
export function runWorkerProcess<A extends ForkedArgs, H extends { release(): Promise<unknown> }, R>(
  prepare: (args: A, clients: Redis[]) => Promise<Prepared<H, R>>,
): void {
  work(prepare).catch((err) => {
    console.error(err)
    process.exit(1)
  })
}

async function work<A extends ForkedArgs, H extends { release(): Promise<unknown> }, R>(
  prepare: (args: A, clients: Redis[]) => Promise<Prepared<H, R>>,
): Promise<void> {
  const args = JSON.parse(process.argv[2] as string) as A
  const clients = args.ports.map((port) => new Redis(port))
  await Promise.all(clients.map((c) => c.ping()))
  const { holders, close } = await prepare(args, clients)
  process.send?.('ready')
  const go = await new Promise<{ start: number; end: number }>((resolve) => process.once('message', resolve as never))
  await sleep(Math.max(0, go.start - now()))
  const report: WorkerReport<R> = { acquisitions: [], failures: 0 }
  const endLocal = performance.now() + (go.end - now())
  await Promise.all(
    holders.map(async (holder) => {
      let asked: number | undefined
      while (performance.now() < endLocal) {
        asked ??= now()
        let held: H
        try {
          held = await holder.acquire(endLocal)
        } catch {
          // An acquire cut short by the end of the run is not a failure of the lock.
          if (performance.now() < endLocal) report.failures++
          continue
        }
        const got = now()
        await sleep(args.holdMs)
        report.acquisitions.push(holder.record(held, { asked, got, released: now() }))
        asked = undefined
        await held.release().catch(() => {})
        await sleep(args.pauseMs)
      }
    }),
  )
  await new Promise<void>((resolve) => process.send?.(report, () => resolve()))
  await close()
  for (const c of clients) c.disconnect()
}
