import { connect, createServer, type Server, type Socket } from 'node:net'

/** Where a {@link FaultProxy} forwards to. */
export interface ProxyTarget {
  readonly host: string
  readonly port: number
}

/** Options of {@link FaultProxy.start}. */
export interface FaultProxyOptions {
  /** The server behind the proxy. */
  readonly target: ProxyTarget
  /** The address the proxy listens on (default `127.0.0.1`). */
  readonly host?: string
  /** The port it listens on (default: a free one). */
  readonly port?: number
}

/** One client connection and its link to the target. */
interface Link {
  readonly client: Socket
  readonly server: Socket
}

/**
 * A TCP proxy in front of a real server that injects the faults of a network: latency, a stalled link (bytes held,
 * connections kept: a partition as TCP sees it), cut connections (both sides reset at once) and refused ones. This
 * kernel has no `tc netem`, so faults between a client and Redis are made here, in user space. Bytes keep their
 * order in both directions whatever the fault.
 */
export class FaultProxy {
  readonly #server: Server
  readonly #target: ProxyTarget
  readonly #links = new Set<Link>()
  #latencyMs = 0
  #stalled = false
  #refusing = false
  #closed = false
  /** Chunks not yet delivered (delayed or stalled), per destination socket, in arrival order. */
  readonly #queues = new Map<Socket, { chunk: Buffer; due: number }[]>()
  readonly #timers = new Map<Socket, NodeJS.Timeout>()

  private constructor(server: Server, target: ProxyTarget) {
    this.#server = server
    this.#target = target
  }

  /** Starts a proxy in front of `target`; resolves once it listens. */
  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const server = createServer()
    const proxy = new FaultProxy(server, options.target)
    server.on('connection', (client) => proxy.#accept(client))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0, exclusive: true }, () => {
        server.off('error', reject)
        resolve()
      })
    })
    return proxy
  }

  /** The port clients connect to. */
  get port(): number {
    const address = this.#server.address()
    if (!address || typeof address !== 'object') throw new Error('the proxy is not listening')
    return address.port
  }

  /** The address clients connect to. */
  get host(): string {
    const address = this.#server.address()
    if (!address || typeof address !== 'object') throw new Error('the proxy is not listening')
    return address.address
  }

  /** Connections open through the proxy now. */
  get connections(): number {
    return this.#links.size
  }

  /** Delays every chunk, both ways, by this many ms from now on (0: none). Order is kept. */
  setLatency(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`latency must be a finite number >= 0, got ${ms}`)
    this.#latencyMs = ms
  }

  /**
   * Holds every byte in both directions, keeping the connections open, as a partition does until TCP gives up;
   * new connections are accepted but carry nothing. `resume()` delivers what was held, in order.
   */
  stall(): void {
    this.#stalled = true
  }

  /** Ends a stall: held bytes go through, in order, then traffic flows again. */
  resume(): void {
    this.#stalled = false
    for (const socket of [...this.#queues.keys()]) this.#pump(socket)
  }

  /** Resets every open connection at once (both sides see the connection drop); new ones are still accepted. */
  cut(): void {
    for (const link of this.#links) this.#drop(link)
  }

  /** While true, new connections are reset as soon as they arrive (open ones are left alone: `cut()` them). */
  refuse(refusing = true): void {
    this.#refusing = refusing
  }

  /** Stops listening and resets every connection. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.cut()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  #accept(client: Socket): void {
    if (this.#refusing || this.#closed) {
      client.resetAndDestroy()
      return
    }
    client.setNoDelay(true)
    const server = connect({ host: this.#target.host, port: this.#target.port })
    server.setNoDelay(true)
    const link: Link = { client, server }
    this.#links.add(link)
    client.on('data', (chunk: Buffer) => this.#forward(chunk, server))
    server.on('data', (chunk: Buffer) => this.#forward(chunk, client))
    // Either side ending or failing takes the other down too, as a real connection through a middlebox would.
    const drop = () => this.#drop(link)
    for (const socket of [client, server]) {
      socket.on('error', drop)
      socket.on('close', drop)
    }
  }

  #forward(chunk: Buffer, to: Socket): void {
    const queue = this.#queues.get(to)
    if (!queue && !this.#stalled && this.#latencyMs === 0) {
      to.write(chunk)
      return
    }
    const entry = { chunk, due: performance.now() + this.#latencyMs }
    if (queue) queue.push(entry)
    else this.#queues.set(to, [entry])
    this.#pump(to)
  }

  /**
   * Delivers the chunks of one direction that are due, in order; a chunk never overtakes one sent before it, also
   * when the latency drops or a stall ends. One timer per direction waits for the next due chunk.
   */
  #pump(to: Socket): void {
    if (this.#stalled || this.#timers.has(to)) return
    const queue = this.#queues.get(to)
    while (queue && queue.length > 0) {
      const head = queue[0] as { chunk: Buffer; due: number }
      const wait = head.due - performance.now()
      if (wait > 0) {
        this.#timers.set(
          to,
          setTimeout(() => {
            this.#timers.delete(to)
            this.#pump(to)
          }, wait),
        )
        return
      }
      queue.shift()
      if (!to.destroyed) to.write(head.chunk)
    }
    this.#queues.delete(to)
  }

  #drop(link: Link): void {
    if (!this.#links.delete(link)) return
    for (const socket of [link.client, link.server]) {
      this.#queues.delete(socket)
      clearTimeout(this.#timers.get(socket))
      this.#timers.delete(socket)
    }
    link.client.resetAndDestroy()
    link.server.resetAndDestroy()
  }
}
