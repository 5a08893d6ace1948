import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** The names in the README's "Everything the package exports" section: every `Name` in backticks. */
function readmeExports(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const start = readme.indexOf('### Everything the package exports')
  const end = readme.indexOf('\n## ', start)
  expect(start, 'the README has an exports section').toBeGreaterThan(0)
  return [...readme.slice(start, end).matchAll(/`([A-Za-z_$][\w$]*)`/g)].map((m) => m[1] as string)
}

/** Every name the built declarations export, types included (tsup writes one `export { ... }` at the end). */
function builtExports(): { all: string[]; types: string[] } {
  const file = join(root, 'dist', 'index.d.ts')
  if (!existsSync(file)) throw new Error('dist/index.d.ts is missing: run `pnpm --filter @org/redrpc... build` first')
  const text = readFileSync(file, 'utf8')
  const list = [...text.matchAll(/^export \{([^}]*)\}(?: from '[^']*')?;?$/gm)].flatMap((m) =>
    (m[1] as string).split(','),
  )
  const names = list.map((n) => n.trim()).filter(Boolean)
  const bare = (n: string) => n.replace(/^type\s+/, '').replace(/^.*\sas\s+/, '')
  return { all: names.map(bare), types: names.filter((n) => n.startsWith('type ')).map(bare) }
}

describe("the README's export list is exactly what the built package exports", () => {
  it('the same names, types included', () => {
    const listed = readmeExports()
    expect(new Set(listed).size, 'no name listed twice').toBe(listed.length)
    expect([...listed].sort()).toEqual([...builtExports().all].sort())
  })

  it('the run-time values are those the built module has', async () => {
    const { types } = builtExports()
    const values = readmeExports().filter((n) => !types.includes(n))
    const esm = (await import(join(root, 'dist', 'index.js'))) as Record<string, unknown>
    expect(Object.keys(esm).sort()).toEqual(values.sort())
    expect(esm.UnknownPolicyError).toBeTypeOf('function')
  })
})
