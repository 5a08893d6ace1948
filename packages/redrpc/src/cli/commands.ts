import { redlockKeys } from '@org/redlock'
import { Registry } from '@org/registry'
import type { Redis } from 'ioredis'
import { ServiceInUseError } from '../errors.js'
import { RedRpc } from '../RedRpc.js'
import { unregisterService } from '../serviceRemoval.js'
import type { CliArgs } from './args.js'
import { connect } from './connect.js'
import { dashboard } from './dashboard.js'
import { plainNumber, table, toJson } from './table.js'
import { top } from './top.js'

/** Where a command writes, and what stops `watch`. */
export interface CliIO {
  out(text: string): void
  /** Aborts on SIGINT/SIGTERM: `watch` then returns. */
  signal: AbortSignal
}

async function withRedis<T>(url: string, run: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = await connect(url)
  try {
    return await run(redis)
  } finally {
    redis.disconnect()
  }
}

async function withRegistry<T>(args: CliArgs, run: (registry: Registry) => Promise<T>): Promise<T> {
  return withRedis(args.redis[0] as string, async (redis) => {
    const registry = new Registry(redis, { namespace: args.namespace })
    try {
      return await run(registry)
    } finally {
      await registry.close()
    }
  })
}

async function services(args: CliArgs, io: CliIO): Promise<void> {
  await withRegistry(args, async (registry) => {
    const list = await registry.listServices()
    const all = await Promise.all(
      list.map(async (s) => ({ ...s, providers: (await registry.listProviders(s.name)).map((p) => p.id) })),
    )
    // Stale: registered, but no provider alive (their processes are gone); `redrpc unregister` removes them.
    const rows = args.stale ? all.filter((s) => s.providers.length === 0) : all
    if (args.json) return io.out(toJson(rows))
    io.out(
      table(
        ['SERVICE', 'VERSION', 'METHODS', 'PROVIDERS'],
        rows.map((s) => [s.name, s.version, s.methods.join(','), String(s.providers.length)]),
      ),
    )
  })
}

async function providers(args: CliArgs, io: CliIO): Promise<void> {
  const [service] = args.positionals as [string]
  await withRegistry(args, async (registry) => {
    await registry.getService(service)
    const list = await registry.listProviders(service)
    if (args.json) return io.out(toJson(list))
    io.out(
      table(
        ['PROVIDER', 'WEIGHT', 'METADATA'],
        list.map((p) => [p.id, String(p.weight), toJson(p.metadata)]),
      ),
    )
  })
}

async function call(args: CliArgs, io: CliIO): Promise<void> {
  const [service, method, json] = args.positionals as [string, string, string | undefined]
  let params: unknown
  if (json !== undefined) {
    try {
      params = JSON.parse(json)
    } catch (err) {
      throw new Error(`params are not valid JSON: ${(err as Error).message}`)
    }
  }
  await withRedis(args.redis[0] as string, async (redis) => {
    const redRpc = new RedRpc(null, [redis], { namespace: args.namespace, call: { timeoutMs: args.timeoutMs } })
    try {
      // A script wants an answer now: an unknown service fails at once rather than after a call's wait for it.
      await redRpc.registry.getService(service)
      const result = await redRpc.getInstance(service).callApi(method, params)
      io.out(args.json ? toJson(result) : toJson(result, 2))
    } finally {
      await redRpc.close()
    }
  })
}

async function watch(args: CliArgs, io: CliIO): Promise<void> {
  const [service] = args.positionals as [string]
  await withRegistry(args, async (registry) => {
    await registry.getService(service)
    const w = registry.watch(service, (list, change) => {
      if (args.json) {
        const removed = change.removed.map((p) => ({ id: p.id, reason: p.reason }))
        const ids = (l: { id: string }[]) => l.map((p) => p.id)
        io.out(toJson({ providers: ids(list), added: ids(change.added), removed, updated: ids(change.updated) }))
        return
      }
      for (const p of change.added) io.out(`+ ${p.id}`)
      for (const p of change.removed) io.out(`- ${p.id} (${p.reason})`)
      for (const p of change.updated) io.out(`~ ${p.id}`)
      io.out(`  ${service}: ${list.length} provider(s)${list.length ? `: ${list.map((p) => p.id).join(', ')}` : ''}`)
    })
    await w.ready
    if (!args.json && w.providers.length === 0) io.out(`  ${service}: 0 provider(s)`)
    if (!args.json) io.out(`watching ${service} (Ctrl-C to stop)`)
    if (!io.signal.aborted) await new Promise((resolve) => io.signal.addEventListener('abort', resolve, { once: true }))
    await w.close()
  })
}

/** A held lock as one instance has it. */
interface LockRow {
  instance: string
  resource: string
  holder: string
  ttlMs: number
  /** A number when it fits a safe integer (always, in practice), else its decimal string. */
  fencingToken: number | string | null
}

async function locks(args: CliArgs, io: CliIO): Promise<void> {
  const rows: LockRow[] = []
  for (const url of args.redis) {
    await withRedis(url, async (redis) => rows.push(...(await heldLocks(redis, url, args.prefix))))
  }
  if (args.json) return io.out(toJson(rows))
  io.out(
    table(
      ['INSTANCE', 'RESOURCE', 'HOLDER', 'TTL_MS', 'TOKEN'],
      rows.map((r) => [r.instance, r.resource, r.holder, String(r.ttlMs), String(r.fencingToken ?? '-')]),
    ),
  )
}

/** Redlock lock keys are `<prefix>{<resource>}`; `redlockKeys` names the fencing counter beside each. */
async function heldLocks(redis: Redis, instance: string, prefix: string): Promise<LockRow[]> {
  const keys: string[] = []
  let cursor = '0'
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}{*}`, 'COUNT', 1000)
    cursor = next
    keys.push(...batch)
  } while (cursor !== '0')
  const rows = await Promise.all(
    keys.sort().map(async (key) => {
      const resource = key.slice(prefix.length + 1, -1)
      const fence = redlockKeys(resource, prefix).fence
      const [holder, ttlMs, token] = await Promise.all([redis.get(key), redis.pttl(key), redis.get(fence)])
      if (holder === null) return undefined
      return {
        instance,
        resource,
        holder: lockValue(holder),
        ttlMs,
        fencingToken: token === null ? null : plainNumber(token),
      }
    }),
  )
  return rows.filter((r): r is LockRow => r !== undefined)
}

/**
 * The lock's value as its holder knows it (`lock.value`): @org/redlock appends a `+` to the stored value when
 * somebody waited for the lock (so that only such a release is announced); that marker is internal.
 */
function lockValue(stored: string): string {
  return stored.endsWith('+') ? stored.slice(0, -1) : stored
}

async function unregister(args: CliArgs, io: CliIO): Promise<void> {
  const [service] = args.positionals as [string]
  await withRegistry(args, async (registry) => {
    await registry.getService(service)
    const redis = args.redis[0] as string
    const { removed, live } = await withRedis(redis, (r) => unregisterService(r, args.namespace, service, args.force))
    if (!removed && live.length > 0) throw new ServiceInUseError(service, live)
    if (args.json) return io.out(toJson({ service, removed, droppedProviders: args.force ? live : [] }))
    io.out(`removed ${service}${live.length > 0 ? ` (dropped live providers: ${live.join(', ')})` : ''}`)
  })
}

/** Runs one parsed command. */
export async function runCommand(args: CliArgs, io: CliIO): Promise<void> {
  const commands: Record<string, (a: CliArgs, i: CliIO) => Promise<void>> = {
    services,
    providers,
    call,
    watch,
    locks,
    unregister,
    top,
    dashboard,
  }
  await (commands[args.command] as (a: CliArgs, i: CliIO) => Promise<void>)(args, io)
}
