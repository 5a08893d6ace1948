/**
 * An A/B of the facade's caller path, for judging a change to it: `callApi` of this build, `callApi` of another build
 * (`REDRPC_AB_BASELINE=/path/to/its/packages/redrpc/dist/index.js`, e.g. one built from an older commit with
 * `git archive`), and the bare transport client, all calling the same 3 facade provider processes from this process,
 * in interleaved blocks (the order alternates), so a load change on the machine hits every contender alike. Prints
 * each one's median calls/s and the caller's CPU per call (`process.cpuUsage`), which is what a caller-side change
 * moves and which holds steady under other load.
 *
 * `pnpm --filter @org/bench exec tsx src/redrpc/callerAB.ts`; `REDRPC_AB_BLOCKS` (default 12) blocks of
 * `REDRPC_AB_CALLS` (default 20,000) calls, 256 in flight.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { RedRpc } from '@org/redrpc'
import { startRedis, waitFor } from '@org/testkit'
import { type Codec, TransportClient } from '@org/transport'
import { Redis } from 'ioredis'

const here = dirname(fileURLToPath(import.meta.url))
const BLOCKS = Number(process.env.REDRPC_AB_BLOCKS ?? 12)
const CALLS = Number(process.env.REDRPC_AB_CALLS ?? 20_000)
const IN_FLIGHT = 256
const PARAMS = { user: 42, name: 'benchmark', tags: ['a', 'b', 'c'] }
const NAMES = ['ab1', 'ab2', 'ab3']

const group = await startRedis()
const port = group.instances[0]!.port
const connection = () => new Redis({ host: '127.0.0.1', port, enableAutoPipelining: true }).on('error', () => {})

function spawnProvider(name: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'provider.ts'), 'redrpc', String(port), name], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve(child)
    })
    child.once('exit', (code) => reject(new Error(`provider ${name} exited (${code})`)))
  })
}

/** A facade caller of `Build` (this one or the baseline's), once it sees every provider. */
async function facadeCaller(
  Build: typeof RedRpc,
): Promise<{ call: () => Promise<unknown>; close: () => Promise<void> }> {
  const redRpc = new Build(null, [connection()], { namespace: 'bench', call: { timeoutMs: 30_000 } })
  const service = redRpc.getInstance('bench')
  await service.ready()
  await waitFor(() => service.providers().length === NAMES.length, { timeoutMs: 30_000, what: 'providers' })
  return { call: () => service.callApi('echo', PARAMS), close: () => redRpc.close() }
}

// The facade's wire form of plain JSON: the bare client sends the same bytes, pre-encoded as the facade does.
const passThrough: Codec = {
  name: 'redrpc-json2',
  encode: (value) => (typeof value === 'string' ? value : JSON.stringify(value)),
  decode: (data) => JSON.parse(data.toString('utf8')),
}

async function block(call: () => Promise<unknown>, total: number): Promise<{ rate: number; cpu: number }> {
  let started = 0
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (started < total) {
        started++
        await call()
      }
    }),
  )
  const cpu = process.cpuUsage(c0)
  return { rate: (total / (performance.now() - t0)) * 1000, cpu: (cpu.user + cpu.system) / total }
}

const children = await Promise.all(NAMES.map(spawnProvider))
try {
  const baselinePath = process.env.REDRPC_AB_BASELINE
  const Baseline: typeof RedRpc | undefined = baselinePath ? (await import(baselinePath)).RedRpc : undefined
  const ours = await facadeCaller(RedRpc)
  const theirs = Baseline ? await facadeCaller(Baseline) : undefined
  const bare = new TransportClient(connection(), { namespace: 'bench', codec: passThrough, timeoutMs: 30_000 })
  const encoded = JSON.stringify(PARAMS)
  let next = 0
  const contenders: [string, () => Promise<unknown>][] = [
    ['callApi (this build)', ours.call],
    ...(theirs ? [['callApi (baseline build)', theirs.call] as [string, () => Promise<unknown>]] : []),
    [
      'bare transport client',
      () =>
        bare.request({
          service: 'bench',
          providerId: `${NAMES[next++ % NAMES.length]}-1`,
          method: 'echo',
          params: encoded,
        }),
    ],
  ]
  for (const [, call] of contenders) await block(call, CALLS / 4)
  const results = new Map<string, { rate: number[]; cpu: number[] }>(
    contenders.map(([n]) => [n, { rate: [], cpu: [] }]),
  )
  for (let i = 0; i < BLOCKS; i++) {
    const order = i % 2 === 0 ? contenders : [...contenders].reverse()
    for (const [name, call] of order) {
      const r = await block(call, CALLS)
      results.get(name)!.rate.push(r.rate)
      results.get(name)!.cpu.push(r.cpu)
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
  console.log(`| caller | calls/s | caller CPU µs/call |\n|---|---:|---:|`)
  for (const [name, r] of results) {
    console.log(`| ${name} | ${Math.round(median(r.rate)).toLocaleString('en-US')} | ${median(r.cpu).toFixed(2)} |`)
  }
  await Promise.all([ours.close(), theirs?.close(), bare.close()])
} finally {
  for (const child of children) child.kill('SIGTERM')
  await group.stop()
}
process.exit(0)
