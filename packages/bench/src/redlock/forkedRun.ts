import { type ChildProcess, fork } from 'node:child_process'
import { sharedNow } from '@org/testkit'

/**
 * Runs one worker process per entry of `argsList` (TypeScript, through tsx), the way L4-L6 run contenders as separate
 * service instances: each connects and warms up and says so, then all start together at a moment on the clock every
 * process shares (`sharedNow`) and run `durationMs`; resolves with their reports in the order of `argsList`. Every
 * worker is killed at the end, also when one fails.
 */
export async function runForked<R>(worker: string, argsList: readonly unknown[], durationMs: number): Promise<R[]> {
  const children: ChildProcess[] = argsList.map((args) =>
    fork(worker, [JSON.stringify(args)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  )
  try {
    await Promise.all(children.map((child) => message(child)))
    const start = sharedNow() + 50
    const reports = Promise.all(children.map((child) => message(child) as Promise<R>))
    for (const child of children) child.send({ start, end: start + durationMs })
    return await reports
  } finally {
    for (const child of children) child.kill('SIGKILL')
  }
}

/** The worker's next message; rejects if it exits first. */
function message(child: ChildProcess): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`a benchmark worker process exited early (code ${code})`))
    child.once('exit', onExit)
    child.once('message', (m) => {
      child.off('exit', onExit)
      resolve(m)
    })
  })
}

/** What a worker reports: its acquisitions (each with when it got the lock) and how many acquires failed. */
interface Report<A extends { got: number }> {
  acquisitions: A[]
  failures: number
}

/** Every worker's acquisitions in one list, each marked with its worker's index, in the order they got the lock. */
export function mergeReports<A extends { got: number }>(reports: readonly Report<A>[]) {
  const acquisitions = reports
    .flatMap((report, process) => report.acquisitions.map((a) => ({ ...a, process })))
    .sort((a, b) => a.got - b.got)
  return { acquisitions, failures: reports.reduce((n, r) => n + r.failures, 0) }
}
