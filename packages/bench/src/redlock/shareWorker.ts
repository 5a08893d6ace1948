/**
 * One contender process of L5/L6: its own lock objects and three connections, one worker per role given. It
 * connects and warms up, says `ready`, waits for `go` (with the common start and end on the shared clock), runs, and
 * sends back one record per acquisition. Every worker holds about `holdMs` (a timer) and waits `pauseMs` outside.
 */
import { sharedNow } from '@org/testkit'
import { Redis } from 'ioredis'
import { type Role, SHARE_CONTENDERS } from './shareContenders.js'

/** What the parent tells a worker process. */
export interface ShareWorkerArgs {
  contender: string
  ports: number[]
  name: string
  /** One worker per entry. */
  roles: Role[]
  permits: number
  ttl: number
  holdMs: number
  pauseMs: number
}

/** One acquisition, on the clock every process shares (the test kit's `sharedNow()`). */
export interface ShareAcquisition {
  role: Role
  /** First ask of this acquisition. */
  asked: number
  got: number
  /** When the holder started its release. */
  released: number
}

/** What a worker process sends back. */
export interface ShareWorkerReport {
  acquisitions: ShareAcquisition[]
  failures: number
}

const now = sharedNow
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] as string) as ShareWorkerArgs
  const make = SHARE_CONTENDERS[args.contender]
  if (!make) throw new Error(`unknown contender ${args.contender}`)
  const clients = args.ports.map((port) => new Redis(port))
  await Promise.all(clients.map((c) => c.ping()))
  const setup = { clients, permits: args.permits, ttl: args.ttl }
  // Warm-up on a name of its own: scripts loaded, code optimised.
  const warm = make({ ...setup, name: `${args.name}:warm:${process.pid}` })
  for (let i = 0; i < 30; i++) await (await warm.acquire(args.roles[0]!, performance.now() + 5_000)).release()
  await warm.close()
  const contender = make({ ...setup, name: args.name })
  process.send?.('ready')
  const go = await new Promise<{ start: number; end: number }>((resolve) => process.once('message', resolve as never))
  await sleep(Math.max(0, go.start - now()))
  const report: ShareWorkerReport = { acquisitions: [], failures: 0 }
  const endLocal = performance.now() + (go.end - now())
  await Promise.all(
    args.roles.map(async (role) => {
      let asked: number | undefined
      while (performance.now() < endLocal) {
        asked ??= now()
        let held: Awaited<ReturnType<typeof contender.acquire>>
        try {
          held = await contender.acquire(role, endLocal)
        } catch {
          // An acquire cut short by the end of the run is not a failure.
          if (performance.now() < endLocal) report.failures++
          continue
        }
        const got = now()
        await sleep(args.holdMs)
        report.acquisitions.push({ role, asked, got, released: now() })
        asked = undefined
        await held.release().catch(() => {})
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
