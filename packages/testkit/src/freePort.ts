import { createServer } from 'node:net'

function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer()
    server.unref()
    server.once('error', () => resolve(undefined))
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address()
      const got = typeof address === 'object' && address ? address.port : undefined
      server.close(() => resolve(got))
    })
  })
}

/**
 * A loopback port that was free a moment ago. With `withBus`, port + 10000 (Redis Cluster's bus port) is free too.
 * A race with another process is still possible: callers retry on "Address already in use".
 */
export async function freePort(withBus = false): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await tryListen(0)
    if (port === undefined) continue
    if (!withBus) return port
    if (port + 10_000 > 65_535) continue
    if ((await tryListen(port + 10_000)) !== undefined) return port
  }
  throw new Error('no free loopback port found after 50 tries')
}
