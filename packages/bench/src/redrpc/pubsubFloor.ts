/**
 * The raw pub/sub request/reply floor of the redrpc benchmark (issue #20): the least a Redis RPC can do. The caller
 * PUBLISHes `<id> <caller channel> <JSON params>` on a provider's channel, the provider PUBLISHes `<id> <JSON result>`
 * back on the caller's; no registry, no balancer, no acknowledgement, no deadline, no crash safety (a message
 * published while nobody listens is lost, and so is its call). What a full stack costs above it is the price of
 * those guarantees.
 */
import { Redis } from 'ioredis'

const channelOf = (name: string) => `bench-ps:req:${name}`

/** Serves `echo` on `name`'s channel until the process exits. */
export async function pubsubProvider(name: string, port: number): Promise<void> {
  const sub = new Redis({ host: '127.0.0.1', port })
  const pub = new Redis({ host: '127.0.0.1', port, enableAutoPipelining: true })
  sub.on('message', (_channel: string, message: string) => {
    const first = message.indexOf(' ')
    const second = message.indexOf(' ', first + 1)
    const params = JSON.parse(message.slice(second + 1)) as unknown
    void pub.publish(message.slice(first + 1, second), `${message.slice(0, first)} ${JSON.stringify(params)}`)
  })
  await sub.subscribe(channelOf(name))
}

/** A caller spreading calls over `names` in turn; each call resolves with the decoded result. */
export async function pubsubCaller(port: number, names: string[]) {
  const sub = new Redis({ host: '127.0.0.1', port })
  const pub = new Redis({ host: '127.0.0.1', port, enableAutoPipelining: true })
  const replies = `bench-ps:rep:${process.pid}`
  const pending = new Map<number, (value: unknown) => void>()
  sub.on('message', (_channel: string, message: string) => {
    const space = message.indexOf(' ')
    const id = Number(message.slice(0, space))
    pending.get(id)?.(JSON.parse(message.slice(space + 1)))
    pending.delete(id)
  })
  await sub.subscribe(replies)
  let next = 0
  return {
    call(params: unknown): Promise<unknown> {
      const id = next++
      const reply = new Promise((resolve) => pending.set(id, resolve))
      void pub.publish(channelOf(names[id % names.length]!), `${id} ${replies} ${JSON.stringify(params)}`)
      return reply
    },
    async stop(): Promise<void> {
      sub.disconnect()
      pub.disconnect()
    },
  }
}
