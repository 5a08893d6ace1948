/**
 * Runs every benchmark area in turn, each in its own process so one area's load does not skew the next:
 * `pnpm bench` runs all, `pnpm bench redlock transport` runs those named.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const areas = ['balancer', 'redlock', 'registry', 'transport', 'redrpc']
const asked = process.argv.slice(2).filter((a) => a !== '--')
const unknown = asked.filter((a) => !areas.includes(a))
if (unknown.length > 0) {
  console.error(`unknown benchmark area(s): ${unknown.join(', ')}; known: ${areas.join(', ')}`)
  process.exit(2)
}
let failed = false
for (const area of asked.length > 0 ? asked : areas) {
  const entry = join(here, area, 'main.ts')
  if (!existsSync(entry)) continue
  console.log(`\n=== ${area} ===`)
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', entry], { stdio: 'inherit' })
  if (result.status !== 0) failed = true
}
process.exit(failed ? 1 : 0)
