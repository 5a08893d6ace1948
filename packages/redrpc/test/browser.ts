import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, chromium } from 'playwright-core'

/** Debian's Chromium on the PATH, or why there is none (then the browser tests are skipped, saying so). */
export function findChromium(): { path: string } | { missing: string } {
  try {
    const path = execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim()
    if (path) return { path }
  } catch {}
  return { missing: 'no chromium on the PATH (as root: apt-get install -y chromium; .ci/run installs it)' }
}

/**
 * Flags from shared/TOOLING.md: headless, no sandbox (root in a container), and none of the background traffic
 * Chromium would otherwise send to hosts this machine cannot reach.
 */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** A real headless Chromium with a fresh profile (removed by `close()`). */
export async function launchChromium(
  executablePath: string,
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'redrpc-chromium-'))
  // launchPersistentContext passes the fresh folder as --user-data-dir (playwright refuses that flag in `args`).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  })
  return {
    context,
    async close() {
      await context.close().catch(() => {})
      rmSync(profile, { recursive: true, force: true })
    },
  }
}
