import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const fixture = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'provider.ts')
const running = new Set<ChildProcess>()

process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/** A provider fixture running in a child process. */
export interface ProviderProcess {
  readonly child: ChildProcess
  /** Events the provider printed, in order. */
  readonly events: Record<string, unknown>[]
  /** Resolves with the first event of that name (rejects if the process exits first). */
  event(name: string, timeoutMs?: number): Promise<Record<string, unknown>>
  /** SIGKILL; resolves once the process is gone. */
  kill(): Promise<void>
  /** SIGTERM (drain) and wait for exit. */
  stop(): Promise<void>
}

/** Starts `test/fixtures/provider.ts` with `env` and waits until it serves. */
export async function startProvider(env: Record<string, string>): Promise<ProviderProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  running.add(child)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  void exited.then(() => running.delete(child))
  const events: Record<string, unknown>[] = []
  const listeners = new Set<() => void>()
  let buffer = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8')
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl)
      buffer = buffer.slice(nl + 1)
      if (line.startsWith('{')) events.push(JSON.parse(line) as Record<string, unknown>)
    }
    for (const l of listeners) l()
  })
  const event = (name: string, timeoutMs = 20_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const found = events.find((e) => e.event === name)
        if (found) {
          cleanup()
          resolve(found)
        }
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(new Error(`provider did not report '${name}' within ${timeoutMs} ms`))
      }, timeoutMs)
      const cleanup = () => {
        clearTimeout(timer)
        listeners.delete(check)
      }
      void exited.then(() => {
        check()
        if (listeners.has(check)) {
          cleanup()
          reject(new Error(`provider exited before reporting '${name}'`))
        }
      })
      listeners.add(check)
      check()
    })
  const handle: ProviderProcess = {
    child,
    events,
    event,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
    },
  }
  await event('ready')
  return handle
}
