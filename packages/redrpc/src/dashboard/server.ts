import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ASSETS, assetsDir } from './assets.js'
import { LiveState, type LiveStateOptions } from './LiveState.js'

export interface DashboardOptions extends LiveStateOptions {
  port: number
  host: string
}

export interface Dashboard {
  /** Where the page is served, e.g. `http://127.0.0.1:7070/`. */
  url: string
  close(): Promise<void>
}

/** Addresses of this machine only: a dashboard bound to one answers only requests that name this machine. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])

const HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // Everything the page needs is served here: no script or style from elsewhere may run.
  'Content-Security-Policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
}

/**
 * Serves the read-only dashboard: the page, `/state` (the last state, JSON) and `/events` (server-sent events: the
 * chart history once, then the state every period). Only GET; nothing it serves writes to Redis. It reads Redis every
 * `intervalMs` whether or not a page is open, so the charts have history when one opens.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const live = new LiveState(options)
  const streams = new Set<ServerResponse>()
  const dir = assetsDir()
  await live.refresh()

  let timer: ReturnType<typeof setTimeout> | undefined
  let stopped = false
  const tick = async () => {
    const point = await live.refresh()
    if (stopped) return
    const state = live.state
    for (const res of streams) {
      res.write(`event: state\ndata: ${JSON.stringify(state)}\n\n`)
      if (point) res.write(`event: point\ndata: ${JSON.stringify(point)}\n\n`)
    }
    // The next read is planned after this one ends, so slow reads never pile up.
    timer = setTimeout(tick, live.nextReadInMs())
  }
  timer = setTimeout(tick, options.intervalMs)

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, HEADERS)
      res.end()
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req.headers.host, options.host)) return reply(res, 403, 'text/plain', 'forbidden host\n')
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'text/plain', 'read-only\n')
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    if (path === '/events') return openStream(res)
    if (path === '/state') return reply(res, 200, 'application/json', JSON.stringify(live.state))
    const asset = ASSETS[path as keyof typeof ASSETS]
    if (!asset) return reply(res, 404, 'text/plain', 'not found\n')
    if (!dir) return reply(res, 500, 'text/plain', 'the page is not built: run the package build (pnpm build)\n')
    reply(res, 200, asset.type, await readFile(`${dir}${asset.file}`))
  }

  function openStream(res: ServerResponse): void {
    res.writeHead(200, { ...HEADERS, 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' })
    res.write(`retry: 1000\nevent: history\ndata: ${JSON.stringify(live.history)}\n\n`)
    res.write(`event: state\ndata: ${JSON.stringify(live.state)}\n\n`)
    streams.add(res)
    res.on('close', () => streams.delete(res))
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const host = options.host.includes(':') ? `[${options.host}]` : options.host
  return {
    url: `http://${host}:${port}/`,
    async close() {
      stopped = true
      clearTimeout(timer)
      for (const res of streams) res.end()
      streams.clear()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function reply(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { ...HEADERS, 'Content-Type': type, 'Cache-Control': 'no-cache' })
  res.end(body)
}

/**
 * Bound to this machine, answer only requests addressed to it: a web page elsewhere cannot then read the dashboard
 * through a host name it points at 127.0.0.1 (DNS rebinding).
 */
function hostAllowed(header: string | undefined, bound: string): boolean {
  if (!LOOPBACK.has(bound)) return true
  if (!header) return false
  const name = header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : (header.split(':')[0] ?? '')
  return LOOPBACK.has(name)
}
