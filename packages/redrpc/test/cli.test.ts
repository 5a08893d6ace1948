import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { Redlock } from '@org/redlock'
import { waitFor } from '@org/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RedRpc } from '../src/index.js'
import { RESOURCES, type Stack, startStack } from './helpers.js'

const run = promisify(execFile)
const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli.ts')

let stack: Stack
let redRpc: RedRpc
beforeAll(async () => {
  stack = await startStack()
  redRpc = stack.redRpc()
  await redRpc.registerService('cli_service', { add: (p: { a: number; b: number }) => p.a + p.b, ping: () => 'pong' })
  await redRpc.registerProvider('cli', { count: 2 })
})
afterAll(async () => {
  await stack?.stop()
})

/** Runs `redrpc <args>` against the test stack (never the machine's own Redis); resolves with exit code and output. */
async function redrpc(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const withStack = args.includes('--redis') ? args : [...args, '--redis', stack.url]
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', cli, ...withStack, '--namespace', stack.namespace],
      { timeout: 30_000 },
    )
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

describe('the redrpc command shows a live stack', { timeout: 90_000 }, () => {
  it('services lists each service with its methods and number of providers, as a table or JSON', async () => {
    const table = await redrpc('services')
    expect(table.code, table.stderr).toBe(0)
    expect(table.stdout).toMatch(/SERVICE\s+VERSION\s+METHODS\s+PROVIDERS/)
    expect(table.stdout).toMatch(/cli_service\s+1\.0\.0\s+add,ping\s+2/)
    const json = JSON.parse((await redrpc('services', '--json')).stdout)
    expect(json).toEqual([expect.objectContaining({ name: 'cli_service', providers: ['cli-1', 'cli-2'] })])
  })

  it('providers lists the live providers of a service', async () => {
    const out = await redrpc('providers', 'cli_service')
    expect(out.code, out.stderr).toBe(0)
    expect(out.stdout).toMatch(/cli-1\s+100/)
    expect(out.stdout).toMatch(/cli-2\s+100/)
    const json = JSON.parse((await redrpc('providers', 'cli_service', '--json')).stdout)
    expect(json.map((p: { id: string }) => p.id)).toEqual(['cli-1', 'cli-2'])
  })

  it('call sends JSON params and prints the result', async () => {
    const out = await redrpc('call', 'cli_service', 'add', '{"a":2,"b":40}')
    expect(out, out.stderr).toMatchObject({ code: 0, stdout: '42\n' })
    expect((await redrpc('call', 'cli_service', 'ping', '--json')).stdout).toBe('"pong"\n')
  })

  it('locks shows a held lock on every instance with its holder and fencing token', async () => {
    const lock = await stack.rlock.acquire('Resource_B', 10_000)
    try {
      const urls = stack.group.instances.flatMap((i) => ['--redis', i.url])
      const out = await redrpc('locks', ...urls, '--json')
      expect(out.code, out.stderr).toBe(0)
      const rows = JSON.parse(out.stdout) as { resource: string; holder: string; fencingToken: string }[]
      expect(rows).toHaveLength(3)
      for (const row of rows) {
        expect(row).toMatchObject({ resource: 'Resource_B', holder: lock.value })
        expect(BigInt(row.fencingToken) >= lock.fencingToken).toBe(true)
      }
      expect((await redrpc('locks', ...urls)).stdout).toMatch(/Resource_B/)
    } finally {
      await lock.release()
    }
    const after = await redrpc('locks', '--json')
    expect(JSON.parse(after.stdout)).toEqual([])
  })

  it('watch prints providers as they come and go, and stops on SIGTERM', async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', cli, 'watch', 'cli_service', '--redis', stack.url, '--namespace', stack.namespace],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let out = ''
    let err = ''
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
    })
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString()
    })
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    await waitFor(() => out.includes('watching cli_service') || err !== '', {
      timeoutMs: 30_000,
      what: 'watch to start',
    })
    expect(err).toBe('')
    expect(out).toMatch(/\+ cli-1/)
    const [added] = await redRpc.registerProvider('late', { count: 1, service: 'cli_service' })
    await waitFor(() => out.includes(`+ ${added}`), { timeoutMs: 10_000, what: 'the new provider to show' })
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })
})

describe('the redrpc command fails with one clear line and a non-zero exit', { timeout: 90_000 }, () => {
  it('an unknown service', async () => {
    const out = await redrpc('call', 'nowhere', 'ping')
    expect(out.code).toBe(1)
    expect(out.stderr.trim().split('\n')).toHaveLength(1)
    expect(out.stderr).toMatch(/^redrpc: UnknownServiceError: .*nowhere/)
  })

  it('an unknown method and invalid JSON params', async () => {
    const method = await redrpc('call', 'cli_service', 'nope')
    expect(method.code).toBe(1)
    expect(method.stderr).toMatch(/UnknownMethodError: .*add, ping/)
    const json = await redrpc('call', 'cli_service', 'add', '{oops')
    expect(json.code).toBe(1)
    expect(json.stderr).toMatch(/^redrpc: params are not valid JSON/)
  })

  it('a usage mistake exits 2', async () => {
    const unknown = await redrpc('frobnicate')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr.trim().split('\n')).toEqual([
      "redrpc: UsageError: unknown command 'frobnicate' (see 'redrpc --help')",
    ])
    expect((await redrpc('providers')).code).toBe(2)
    const help = await redrpc('--help')
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^usage: redrpc <command>/)
  })

  it('a Redis that cannot be reached', async () => {
    // Port 1 never has a Redis; a port freed by a stopped test server could be taken by another test file meanwhile.
    const url = 'redis://127.0.0.1:1'
    const out = await redrpc('services', '--redis', url)
    expect(out.code).toBe(1)
    expect(out.stderr).toMatch(new RegExp(`^redrpc: cannot connect to ${url}: .*ECONNREFUSED`))
  })
})

describe('the redrpc command prints user data faithfully and words a mistake the same everywhere', {
  timeout: 90_000,
}, () => {
  it('bigints print as numbers when they fit a safe integer, else as decimal strings', async () => {
    // Registered here, after the listing tests above, which expect cli_service alone.
    const bigints = stack.redRpc()
    await bigints.registerService('cli_bigints', {
      token: () => ({ small: 42n, huge: 2n ** 64n }),
    })
    await bigints.registerProvider('clib', { count: 1, service: 'cli_bigints' })
    const out = await redrpc('call', 'cli_bigints', 'token', '--json')
    expect(out.code, out.stderr).toBe(0)
    expect(out.stdout).toBe('{"small":42,"huge":"18446744073709551616"}\n')
  })

  it("locks shows the holder's own lock value (no internal marker) and the fencing token as a number", async () => {
    const lock = await stack.rlock.acquire('Resource_C', 10_000)
    // A caller in another Redlock (as in another process) waits in line: @org/redlock then marks the stored value,
    // which the command must not show.
    const other = new Redlock(stack.group.clients(), { resources: RESOURCES })
    const waiter = other.acquire('Resource_C', 10_000, { retryCount: -1 })
    try {
      const url = stack.group.instances[0]!.url
      await waitFor(async () => (await stack.group.instances[0]!.client().get('redlock:{Resource_C}'))?.endsWith('+'), {
        timeoutMs: 10_000,
        what: 'the waiter to mark the lock',
      })
      const out = await redrpc('locks', '--redis', url, '--json')
      expect(out.code, out.stderr).toBe(0)
      const [row] = JSON.parse(out.stdout) as { holder: string; fencingToken: unknown }[]
      expect(row?.holder).toBe(lock.value)
      expect(row?.fencingToken).toBe(Number(lock.fencingToken))
    } finally {
      await lock.release()
      await (await waiter).release()
      await other.quit()
    }
  })

  it('a missing argument and a bad --timeout read the same in every subcommand', async () => {
    for (const command of ['providers', 'watch', 'call']) {
      const out = await redrpc(command)
      expect(out.code).toBe(2)
      expect(out.stderr).toMatch(
        new RegExp(`^redrpc: UsageError: missing <service> \\(usage: redrpc ${command} <service>`),
      )
    }
    const method = await redrpc('call', 'cli_service')
    expect(method.stderr).toMatch(
      /^redrpc: UsageError: missing <method> \(usage: redrpc call <service> <method> \[json\]\)/,
    )
    const texts = new Set<string>()
    for (const args of [['services'], ['providers', 'x'], ['call', 'x', 'y'], ['watch', 'x'], ['locks']]) {
      const out = await redrpc(...args, '--timeout', 'soon')
      expect(out.code).toBe(2)
      texts.add(out.stderr)
    }
    expect([...texts]).toEqual([
      "redrpc: UsageError: --timeout must be a positive integer, got 'soon' (see 'redrpc --help')\n",
    ])
    const extra = await redrpc('services', 'extra')
    expect(extra.stderr).toMatch(/^redrpc: UsageError: unexpected argument 'extra' \(usage: redrpc services\)/)
  })
})
