/**
 * A provider process of the demo: serves `work_service` as `<WORKER>-1` until it is killed (or sent SIGTERM), and
 * reports on stdout when it adopts the inbox of a provider that died.
 */

import { Redis } from 'ioredis'
import { RedRpc } from '../src/index.js'

const redis = new Redis(process.env.REDIS_URL as string)
redis.on('error', () => {})
const redRpc = new RedRpc(null, [redis], { namespace: process.env.NAMESPACE as string })
redRpc.on('adopted', (e) => console.log(`adopted ${e.provider}'s inbox`))

await redRpc.registerService('work_service', {
  // Not idempotent: a call is never sent twice by the caller; only the inbox of a dead provider is re-delivered.
  work: async (p: { n: number }, ctx) => {
    await new Promise((resolve) => setTimeout(resolve, 10))
    return { n: p.n, by: ctx.providerId, attempt: ctx.attempt }
  },
})
await redRpc.registerProvider(process.env.WORKER as string, { count: 1 })
console.log('ready')

process.on('SIGTERM', () => {
  void redRpc.close().finally(() => {
    redis.disconnect()
    process.exit(0)
  })
})
