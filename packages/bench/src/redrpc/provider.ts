/**
 * One provider process of the RedRpc benchmark. argv: system (redrpc | transport | moleculer | pubsub), Redis port, provider
 * name, and for redrpc an optional overhead configuration (see overhead.ts: `none`, `hook`, `otel`, `sampled`). Every
 * system serves the same `echo`, which returns its params; prints `ready` once it serves.
 */
import { RedRpc } from '@org/redrpc'
import { TransportServer } from '@org/transport'
import { Redis } from 'ioredis'
import { moleculerProvider } from '../shared/moleculer.js'
import { type Config, overheadSetup } from './overheadConfig.js'
import { pubsubProvider } from './pubsubFloor.js'

const [system, portArg, name, config] = process.argv.slice(2) as [string, string, string, Config | undefined]
const port = Number(portArg)
const host = '127.0.0.1'
const connection = () => new Redis({ host, port, enableAutoPipelining: true })

if (system === 'redrpc') {
  const setup = config === undefined ? undefined : overheadSetup(config)
  const redRpc = new RedRpc(null, [connection()], {
    namespace: setup?.namespace ?? 'bench',
    concurrency: 512,
    telemetry: setup?.telemetry ?? false,
  })
  if (setup?.hook) redRpc.use({ handle: (_ctx, next) => next() })
  await redRpc.registerService(setup?.service ?? 'bench', { echo: (params: unknown) => params })
  await redRpc.registerProvider(name, { count: 1 })
} else if (system === 'transport') {
  const server = new TransportServer(connection(), {
    namespace: 'bench-t',
    service: 'bench',
    providerId: name,
    concurrency: 512,
  })
  server.handle('echo', (params) => params)
  await server.start()
} else if (system === 'pubsub') {
  await pubsubProvider(name, port)
} else {
  await moleculerProvider(name, port)
}
process.on('SIGTERM', () => process.exit(0))
process.stdout.write('ready\n')
