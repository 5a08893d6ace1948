// Bundles the dashboard page (main.ts with uPlot and its CSS) into dist/dashboard/ at build time, so the running
// command serves it from the package and fetches nothing. Run by the package's build script after tsup.
import { copyFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))
const out = join(here, '..', 'dist', 'dashboard')
mkdirSync(out, { recursive: true })
await build({
  entryPoints: { app: join(here, 'main.ts') },
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  platform: 'browser',
  outdir: out,
  logLevel: 'warning',
  legalComments: 'linked',
})
copyFileSync(join(here, 'index.html'), join(out, 'index.html'))
