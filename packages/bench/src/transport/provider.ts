/**
 * One provider process of the transport benchmark. argv: system (transport | moleculer | raw), Redis port, provider id.
 * Every system serves the same `echo` that returns its params; prints `ready` once it serves.
 */
import { TransportServer } from '@org/transport'
import { Redis } from 'ioredis'
import { moleculerProvider } from '../shared/moleculer.js'
import { RAW_QUEUE, RAW_WORKERS } from './raw.js'

const [system, portArg, id] = process.argv.slice(2)
const port = Number(portArg)
const host = '127.0.0.1'

async function serveTransport(): Promise<void> {
  const server = new TransportServer(new Redis({ host, port }), {
    namespace: 'bench',
    service: 'bench',
    providerId: id!,
    concurrency: 512,
  })
  server.handle('echo', (params) => params)
  await server.start()
}

/** The floor: BRPOP a request, LPUSH the reply, nothing else; several loops so calls in flight overlap. */
async function serveRaw(): Promise<void> {
  const push = new Redis({ host, port })
  const loop = async (conn: Redis) => {
    for (;;) {
      const popped = await conn.brpop(RAW_QUEUE, 0)
      if (!popped) continue
      const request = JSON.parse(popped[1]) as { id: number; replyTo: string; params: unknown }
      await push.lpush(request.replyTo, JSON.stringify({ id: request.id, result: request.params }))
    }
  }
  for (let i = 0; i < RAW_WORKERS; i++) void loop(new Redis({ host, port }))
}

if (system === 'transport') await serveTransport()
else if (system === 'moleculer') await moleculerProvider(id!, port)
else await serveRaw()
process.stdout.write('ready\n')
process.on('SIGTERM', () => process.exit(0))
