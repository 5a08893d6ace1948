import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type Redis from 'ioredis'
import type { ProviderChange, ProviderInfo } from '../src/index.js'

const here = dirname(fileURLToPath(import.meta.url))

/** Options small enough for quick tests, with room for a loaded CI machine. */
export const FAST = { heartbeatMs: 200, ttlMs: 1_000, resyncMs: 1_000 } as const

/** Starts `fixtures/provider.ts` in a child process; resolves once its provider is registered. */
export function spawnProvider(
  port: number,
  service: string,
  id: string,
  options: { heartbeatMs: number; ttlMs: number; namespace?: string },
): Promise<ChildProcess> {
  const args = [
    '--import',
    'tsx',
    join(here, 'fixtures', 'provider.ts'),
    String(port),
    service,
    id,
    String(options.heartbeatMs),
    String(options.ttlMs),
    options.namespace ?? 'redrpc',
  ]
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  return new Promise((resolve, reject) => {
    let err = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`provider fixture not ready within 20 s: ${err}`))
    }, 20_000)
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString()
    })
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer)
        resolve(child)
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`provider fixture exited with ${code}: ${err}`))
    })
  })
}

/** SIGKILLs a child and resolves when it is gone. */
export function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })
}

/** Everything a watch listener heard, in order. */
export interface Heard {
  providers: ProviderInfo[]
  change: ProviderChange
  at: number
}

/** A listener that records what it hears, and the recording. */
export function recorder(): {
  heard: Heard[]
  listener: (p: ProviderInfo[], c: ProviderChange) => void
  ids(): string[]
} {
  const heard: Heard[] = []
  return {
    heard,
    listener: (providers, change) => heard.push({ providers, change, at: performance.now() }),
    ids: () => (heard.at(-1)?.providers ?? []).map((p) => p.id),
  }
}

/** How many scripts the server has run so far (each sweep, resync, heartbeat is one). */
export async function scriptCalls(redis: Redis): Promise<number> {
  const stats = await redis.info('commandstats')
  const count = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0)
  return count('evalsha') + count('eval')
}
