import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The page's files, built from `dashboard-ui/` into `dist/dashboard/` (see `dashboard-ui/build.mjs`). */
export const ASSETS = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
} as const

/**
 * The folder of the built page. The published command runs from `dist/cli.js` (the folder is beside it); the tests
 * run the sources (`src/dashboard/`), which use the package's own build.
 */
export function assetsDir(): string | undefined {
  for (const relative of ['./dashboard/', '../../dist/dashboard/']) {
    const dir = fileURLToPath(new URL(relative, import.meta.url))
    if (existsSync(`${dir}app.js`)) return dir
  }
  return undefined
}
