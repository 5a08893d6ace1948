import type { Redis } from 'ioredis'
import { startDashboard } from '../dashboard/server.js'
import type { CliArgs } from './args.js'
import type { CliIO } from './commands.js'
import { connect } from './connect.js'

/** `redrpc dashboard`: serves the live page until stopped (Ctrl-C). */
export async function dashboard(args: CliArgs, io: CliIO): Promise<void> {
  const clients: Redis[] = []
  try {
    const redis = await connect(args.redis[0] as string, true)
    clients.push(redis)
    const lockInstances = []
    for (const url of args.locks) {
      const client = await connect(url, true)
      clients.push(client)
      lockInstances.push({ name: url, redis: client })
    }
    const page = await startDashboard({
      redis,
      namespace: args.namespace,
      lockInstances,
      prefix: args.prefix,
      intervalMs: args.intervalMs,
      port: args.port,
      host: args.host,
    })
    const locks = args.locks.length > 0 ? `, locks on ${args.locks.length} instance(s)` : ''
    io.out(`dashboard on ${page.url} (namespace ${args.namespace}${locks}; read-only; Ctrl-C to stop)`)
    if (!io.signal.aborted) await new Promise((resolve) => io.signal.addEventListener('abort', resolve, { once: true }))
    await page.close()
  } finally {
    for (const client of clients) client.disconnect()
  }
}
