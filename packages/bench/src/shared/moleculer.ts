/** Moleculer 0.14 with its Redis transporter, set up alike for every benchmark that compares with it. */
import { ServiceBroker } from 'moleculer'

function broker(nodeID: string, port: number): ServiceBroker {
  return new ServiceBroker({
    nodeID,
    transporter: { type: 'Redis', options: { host: '127.0.0.1', port } },
    logger: false,
  })
}

/** A provider node serving `bench.echo`, which returns its params. */
export async function moleculerProvider(nodeID: string, port: number): Promise<ServiceBroker> {
  const b = broker(nodeID, port)
  b.createService({ name: 'bench', actions: { echo: (ctx) => ctx.params } })
  await b.start()
  return b
}

/** A caller node, started once `providers` provider nodes are known, so load really spreads over all of them. */
export async function moleculerCaller(port: number, providers: number, timeoutMs = 30_000): Promise<ServiceBroker> {
  const b = broker(`caller-${process.pid}`, port)
  await b.start()
  await b.waitForServices(['bench'], timeoutMs)
  const deadline = performance.now() + timeoutMs
  const known = () =>
    b.registry.nodes.toArray().filter((n: { available: boolean; id: string }) => n.available && n.id !== b.nodeID)
      .length
  while (known() < providers) {
    if (performance.now() > deadline) throw new Error(`only ${known()} of ${providers} Moleculer providers were seen`)
    await new Promise((r) => setTimeout(r, 20))
  }
  return b
}
