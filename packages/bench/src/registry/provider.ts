// One provider in its own process, for the SIGKILL benchmark. argv: port, service, id, heartbeatMs, ttlMs
import { Registry } from '@org/registry'
import Redis from 'ioredis'

const [port, service, id, heartbeatMs, ttlMs] = process.argv.slice(2)
const registry = new Registry(new Redis({ host: '127.0.0.1', port: Number(port) }), {
  namespace: 'bench',
  heartbeatMs: Number(heartbeatMs),
  ttlMs: Number(ttlMs),
})
await registry.registerProvider(service!, { id: id! })
process.stdout.write('ready\n')
