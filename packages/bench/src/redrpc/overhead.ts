/**
 * What hooks and OpenTelemetry cost a call, as an interleaved A/B in one caller process: each configuration
 * (overheadConfig.ts) has its own providers (3 processes, as in the main table) and its own RedRpc caller here; the
 * caller runs blocks of calls of each configuration in turn, the order reversed every other cycle, and each block's
 * calls/s is divided by the baseline block of the same cycle. The median of those ratios stands: a burst of other
 * load lands on one cycle, not on one configuration. CPU per call of the caller and of that configuration's providers
 * is summed over its blocks.
 */
import type { ChildProcess } from 'node:child_process'
import { RedRpc } from '@org/redrpc'
import { waitFor } from '@org/testkit'
import type { Redis } from 'ioredis'
import { measure } from '../shared/stats.js'
import { cpuMicros } from './cpu.js'
import { exported } from './openTelemetry.js'
import { CONFIGS, type Config, LABELS, overheadSetup } from './overheadConfig.js'

/** Calls per block. */
export const BLOCK = Number(process.env.REDRPC_BENCH_OVERHEAD_BLOCK ?? 2_000)
const CYCLES = Number(process.env.REDRPC_BENCH_OVERHEAD_CYCLES ?? 12)

/** One configuration's caller and the provider processes serving it. */
interface Side {
  config: Config
  call(): Promise<unknown>
  children: ChildProcess[]
  close(): Promise<unknown>
}

/** What the overhead part needs from the benchmark's main file. */
export interface OverheadDeps {
  connection(): Redis
  /** Starts one redrpc provider process of `config`, named `name`. */
  spawnProvider(name: string, config: Config): Promise<ChildProcess>
  providers: number
  inFlight: number
  params: unknown
}

/** One row of the result: median calls/s over the blocks, median ratio to the baseline, CPU µs per call. */
export interface OverheadRow {
  config: Config
  label: string
  callsPerSecond: number
  ratio: number
  cpu: { caller: number; providers: number }
}

async function side(config: Config, deps: OverheadDeps): Promise<Side> {
  const setup = overheadSetup(config)
  const names = Array.from({ length: deps.providers }, (_, i) => `${config}${i + 1}`)
  const children = await Promise.all(names.map((n) => deps.spawnProvider(n, config)))
  const conn = deps.connection()
  const redRpc = new RedRpc(null, [conn], {
    namespace: setup.namespace,
    telemetry: setup.telemetry,
    call: { timeoutMs: 30_000 },
  })
  if (setup.hook) redRpc.use({ call: (_ctx, next) => next() })
  const service = redRpc.getInstance(setup.service)
  await service.ready()
  await waitFor(() => service.providers().length === names.length, { timeoutMs: 30_000, what: `${config} providers` })
  return {
    config,
    call: () => service.callApi('echo', deps.params),
    children,
    close: async () => {
      await redRpc.close()
      conn.disconnect()
      await Promise.all(children.map((c) => new Promise((resolve) => c.once('exit', resolve).kill('SIGTERM'))))
    },
  }
}

/** Runs the interleaved blocks and returns one row per configuration, the baseline first. */
export async function runOverhead(deps: OverheadDeps): Promise<{ rows: OverheadRow[]; spans: number }> {
  const sides: Side[] = []
  try {
    for (const config of CONFIGS) sides.push(await side(config, deps))
    for (const s of sides) await measure(() => s.call(), BLOCK, deps.inFlight) // warm-up, JIT and connections
    const rates = new Map<Config, number[]>(CONFIGS.map((c) => [c, []]))
    const ratios = new Map<Config, number[]>(CONFIGS.map((c) => [c, []]))
    const cpu = new Map<Config, { caller: number; providers: number }>(
      CONFIGS.map((c) => [c, { caller: 0, providers: 0 }]),
    )
    const spansBefore = exported.spans
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const order = cycle % 2 === 0 ? sides : [...sides].reverse()
      const rate = new Map<Config, number>()
      for (const s of order) {
        const providerCpu = () => s.children.reduce((sum, c) => sum + cpuMicros(c.pid), 0)
        const before = { caller: cpuMicros(process.pid), providers: providerCpu() }
        const m = await measure(() => s.call(), BLOCK, deps.inFlight)
        const used = cpu.get(s.config) as { caller: number; providers: number }
        used.caller += cpuMicros(process.pid) - before.caller
        used.providers += providerCpu() - before.providers
        rate.set(s.config, m.callsPerSecond)
        rates.get(s.config)?.push(m.callsPerSecond)
      }
      const base = rate.get('none') as number
      for (const config of CONFIGS) ratios.get(config)?.push((rate.get(config) as number) / base)
    }
    const total = BLOCK * CYCLES
    const rows = CONFIGS.map((config) => {
      const used = cpu.get(config) as { caller: number; providers: number }
      return {
        config,
        label: LABELS[config],
        callsPerSecond: median(rates.get(config) ?? []),
        ratio: median(ratios.get(config) ?? []),
        cpu: { caller: used.caller / total, providers: used.providers / total },
      }
    })
    return { rows, spans: exported.spans - spansBefore }
  } finally {
    await Promise.allSettled(sides.map((s) => s.close()))
  }
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? Number.NaN
}
