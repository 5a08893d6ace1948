import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PageState } from '../src/dashboard/LiveState.js'
import { type Dashboard, startDashboard } from '../src/dashboard/server.js'
import { type Stack, startStack } from './helpers.js'

let stack: Stack
let dashboard: Dashboard
beforeAll(async () => {
  stack = await startStack()
  const redis = stack.group.instances[0]?.client()
  if (!redis) throw new Error('no redis')
  dashboard = await startDashboard({
    redis,
    namespace: stack.namespace,
    lockInstances: [],
    prefix: 'redlock:',
    intervalMs: 1_000,
    port: 0,
    host: '127.0.0.1',
  })
})
afterAll(async () => {
  await dashboard?.close()
  await stack?.stop()
})

/** One request with the headers given (Host included), answered with status and body. */
function get(
  path: string,
  options: { method?: string; host?: string } = {},
): Promise<{ status: number; body: string }> {
  const url = new URL(path, dashboard.url)
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'GET', headers: { host: options.host ?? url.host } },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => {
          body += d
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

describe('the dashboard server is read-only and answers this machine only', { timeout: 30_000 }, () => {
  it('binds 127.0.0.1 and serves the state as JSON, with the page bundled in the package', async () => {
    expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    const state = JSON.parse((await get('/state')).body) as PageState
    expect(state.namespace).toBe(stack.namespace)
    expect(state.locks).toBeNull()
    const page = await get('/')
    expect(page.status).toBe(200)
    expect(page.body).toContain('<script src="/app.js">')
    expect((await get('/app.js')).status).toBe(200)
  })

  it('refuses anything but GET, and requests addressed to another host name (DNS rebinding)', async () => {
    expect((await get('/state', { method: 'POST' })).status).toBe(405)
    expect((await get('/state', { method: 'DELETE' })).status).toBe(405)
    expect((await get('/state', { host: 'attacker.example:7070' })).status).toBe(403)
    expect((await get('/state', { host: 'localhost:7070' })).status).toBe(200)
    expect((await get('/nothing')).status).toBe(404)
  })
})
