/**
 * One provider process of the RedRpc benchmark. argv: system (redrpc | transport | moleculer), Redis port, provider
 * name. Every system serves the same `bench.echo`, which returns its params; prints `ready` once it serves.
 */
import { RedRpc } from '@org/redrpc'
import { TransportServer } from '@org/transport'
import { Redis } from 'ioredis'
import { moleculerProvider } from '../shared/moleculer.js'

const [system, portArg, name] = process.argv.slice(2) as [string, string, string]
const port = Number(portArg)
const host = '127.0.0.1'
const connection = () => new Redis({ host, port, enableAutoPipelining: true })

if (system === 'redrpc') {
  const redRpc = new RedRpc(null, [connection()], { namespace: 'bench', concurrency: 512 })
  await redRpc.registerService('bench', { echo: (params: unknown) => params })
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
} else {
  await moleculerProvider(name, port)
}
process.on('SIGTERM', () => process.exit(0))
process.stdout.write('ready\n')
