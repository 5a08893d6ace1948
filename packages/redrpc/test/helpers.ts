import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redlock } from '@org/redlock'
import { type RedisGroup, startRedis, waitFor } from '@org/testkit'
import { RedRpc, type RedRpcOptions } from '../src/index.js'

const here = dirname(fileURLToPath(import.meta.url))

/** The resources every test's Redlock declares. */
export const RESOURCES = { Resource_A: { ttl: 10_000 }, Resource_B: { ttl: 10_000 }, Resource_C: { ttl: 10_000 } }

/** Three real Redis servers, a Redlock over them, and RedRpc instances on the first one, all stopped by `stop()`. */
export interface Stack {
  group: RedisGroup
  rlock: Redlock
  /** URL of the Redis that carries the registry and the calls. */
  url: string
  /** A namespace of its own for each test, so tests never see each other's services. */
  namespace: string
  redRpc(options?: RedRpcOptions, withLock?: boolean): RedRpc
  /** A provider process (test/fixtures/provider.ts) serving `child_service`; resolves once it is registered. */
  spawnProvider(name: string, env?: Record<string, string>): Promise<ChildProcess>
  stop(): Promise<void>
}

export async function startStack(): Promise<Stack> {
  const group = await startRedis({ count: 3 })
  const rlock = new Redlock(group.clients(), { resources: RESOURCES })
  const made: RedRpc[] = []
  const children: ChildProcess[] = []
  const first = group.instances[0]
  if (!first) throw new Error('no redis instance')
  const stack: Stack = {
    group,
    rlock,
    url: first.url,
    namespace: `t${randomUUID().slice(0, 8)}`,
    redRpc(options, withLock = true) {
      const r = new RedRpc(withLock ? rlock : null, [first.client()], { namespace: stack.namespace, ...options })
      made.push(r)
      return r
    },
    async spawnProvider(name, env = {}) {
      const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures', 'provider.ts')], {
        env: { ...process.env, REDIS_URL: first.url, NAMESPACE: stack.namespace, PROVIDER: name, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      children.push(child)
      let out = ''
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString()
      })
      child.stderr?.on('data', (d: Buffer) => {
        out += d.toString()
      })
      await waitFor(() => out.includes('ready') || child.exitCode !== null, {
        timeoutMs: 20_000,
        what: `provider process ${name} to start`,
      })
      if (!out.includes('ready')) throw new Error(`provider process ${name} failed:\n${out}`)
      return child
    },
    async stop() {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await Promise.allSettled(made.map((r) => r.close()))
      await group.stop()
    },
  }
  return stack
}

/** Resolves after `ms`: only inside handlers, to make a call take time, never to wait for a condition. */
export function work(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
