import type { ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { Network } from '@org/testkit'

/** A fixture process on a host of a network, and the JSON lines it reported. */
export interface HostProcess {
  readonly child: ChildProcess
  readonly messages: Record<string, unknown>[]
  /** Resolves with its exit code once it ended. */
  readonly exited: Promise<number | null>
}

const packageDir = fileURLToPath(new URL('..', import.meta.url))

/** Starts a fixture (a `.ts` file under `test/fixtures`) inside a host, with the given environment. */
export function startFixture(
  network: Network,
  host: string,
  fixture: string,
  env: Record<string, string | number>,
): HostProcess {
  const file = fileURLToPath(new URL(`../test/fixtures/${fixture}`, import.meta.url))
  const child = network.spawn(host, process.execPath, ['--import', 'tsx', file], {
    cwd: packageDir,
    env: { ...process.env, ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const messages: Record<string, unknown>[] = []
  const errors: string[] = []
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      messages.push(JSON.parse(line))
    } catch {
      errors.push(line)
    }
  })
  child.stderr?.on('data', (chunk: Buffer) => errors.push(chunk.toString('utf8')))
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      if (code !== 0 && errors.length > 0) console.error(`${fixture} on ${host}:\n${errors.join('')}`)
      resolve(code)
    }),
  )
  return { child, messages, exited }
}
