import { type ChildProcess, spawn } from 'node:child_process'
import { copyFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redlock } from '@org/redlock'
import { waitFor } from '@org/testkit'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findChromium, launchChromium } from './browser.js'
import { RESOURCES, type Stack, startStack } from './helpers.js'

const here = dirname(fileURLToPath(import.meta.url))
const cli = join(here, '..', 'src', 'cli.ts')
const chromiumFound = findChromium()
const chromiumPath = 'path' in chromiumFound ? chromiumFound.path : ''
const built = existsSync(join(here, '..', 'dist', 'dashboard', 'app.js'))
const skip = 'missing' in chromiumFound ? chromiumFound.missing : built ? '' : 'the page is not built (pnpm build)'
if (skip) console.warn(`dashboard browser tests skipped: ${skip}`)

/** The fixture provider's registry timing (RedRpc's defaults): a SIGKILLed provider is gone within ttl + heartbeat. */
const TTL_MS = 2_000
const HEARTBEAT_MS = 500

let stack: Stack
let dashboard: ChildProcess | undefined
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined
let page: Page
let url: string

beforeAll(async () => {
  if (skip) return
  stack = await startStack()
  const locks = stack.group.instances.flatMap((i) => ['--locks', i.url])
  dashboard = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      cli,
      'dashboard',
      '--redis',
      stack.url,
      '--namespace',
      stack.namespace,
      '--port',
      '0',
      ...locks,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let out = ''
  dashboard.stdout?.on('data', (d: Buffer) => {
    out += d.toString()
  })
  dashboard.stderr?.on('data', (d: Buffer) => {
    out += d.toString()
  })
  url = await waitFor(
    () => /dashboard on (http:\/\/\S+)/.exec(out)?.[1] ?? (dashboard?.exitCode != null ? 'exit' : ''),
    {
      timeoutMs: 20_000,
      what: 'the dashboard to print its address',
    },
  )
  if (url === 'exit') throw new Error(`the dashboard exited:\n${out}`)
  browser = await launchChromium(chromiumPath)
  page = await browser.context.newPage()
  await page.goto(url)
  await page.waitForSelector('#connection[data-connected="true"]', { timeout: 10_000 })
}, 60_000)

afterAll(async () => {
  await browser?.close()
  if (dashboard && dashboard.exitCode === null) {
    const exited = new Promise((resolve) => dashboard?.once('exit', resolve))
    dashboard.kill('SIGTERM')
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000).unref())])
    if (dashboard.exitCode === null) dashboard.kill('SIGKILL')
  }
  await stack?.stop()
})

describe.skipIf(skip !== '')('redrpc dashboard, in a real headless Chromium', { timeout: 60_000 }, () => {
  it('lists a provider within 2 s of its start, and marks it gone within ttl + heartbeat of a SIGKILL', async () => {
    const child = await stack.spawnProvider('dash')
    const started = performance.now()
    await page.waitForSelector('tr[data-provider="dash-1"][data-status="up"]', { timeout: 2_000 })
    expect(performance.now() - started).toBeLessThan(2_000)
    await page.waitForSelector('tr[data-service="child_service"]', { timeout: 1_000 })

    child.kill('SIGKILL')
    const killed = performance.now()
    await page.waitForSelector('tr[data-provider="dash-1"][data-status="gone"]', { timeout: TTL_MS + HEARTBEAT_MS })
    expect(performance.now() - killed).toBeLessThan(TTL_MS + HEARTBEAT_MS)
  })

  it("shows a lock's holder, token and waiters while it is contended, and saves a screenshot", async () => {
    // Some traffic, so the screenshot shows numbers and charts.
    await stack.spawnProvider('busy')
    const caller = stack.redRpc({}, false)
    let calling = true
    const traffic = (async () => {
      const service = caller.getInstance('child_service')
      while (calling) await service.callApi('work', { n: 1, ms: 5 })
    })()
    await page.waitForSelector('tr[data-provider="busy-1"]:not([data-calls="0"]):not([data-calls="-"])', {
      timeout: 5_000,
    })
    const holder = await stack.rlock.acquire('Resource_A', 10_000)
    const others = [0, 1].map(() => new Redlock(stack.group.clients(), { resources: RESOURCES }))
    const waiting = others.map((r) => r.using('Resource_A', { timeout: 15_000 }, async () => {}))
    try {
      const row = await page.waitForSelector('tr[data-lock="Resource_A"]:not([data-waiters="0"])', { timeout: 5_000 })
      expect(Number(await row.getAttribute('data-waiters'))).toBeGreaterThanOrEqual(1)
      const text = (await row.textContent()) ?? ''
      expect(text).toContain(holder.value)
      expect(text).toContain('3/3')
      expect(text).toContain(String(holder.fencingToken))
      const shot = join(tmpdir(), `redrpc-dashboard-${process.pid}.png`)
      await page.screenshot({ path: shot, fullPage: true })
      console.log(`dashboard screenshot: ${shot}`)
      // REDRPC_DASHBOARD_PNG=<path> keeps a copy, e.g. for the README's docs/dashboard.png.
      if (process.env.REDRPC_DASHBOARD_PNG) copyFileSync(shot, process.env.REDRPC_DASHBOARD_PNG)
    } finally {
      await holder.release()
      await Promise.allSettled(waiting)
      await Promise.all(others.map((r) => r.quit()))
      calling = false
      await traffic
    }
    await page.waitForSelector('tr[data-lock="Resource_A"]', { state: 'detached', timeout: 5_000 })
  })
})
