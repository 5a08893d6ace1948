import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository's root folder. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

/** A package of the workspace that is published to npm. */
export interface PublishedPackage {
  /** Its npm name, e.g. `@org/redlock`. */
  readonly name: string
  /** Its folder. */
  readonly dir: string
  /** Its README. */
  readonly readme: string
}

/**
 * Every workspace package that is not `private`, read from `packages/*` each time, so a new published package is
 * checked without anyone listing it here, and a private one (test kit, benchmarks, these checks) never is.
 */
export function publishedPackages(): PublishedPackage[] {
  const packagesDir = join(repoRoot, 'packages')
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const dir = join(packagesDir, entry.name)
      let manifest: { name?: string; private?: boolean }
      try {
        manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
      } catch {
        return []
      }
      if (manifest.private || !manifest.name) return []
      return [{ name: manifest.name, dir, readme: join(dir, 'README.md') }]
    })
    .sort((a, b) => a.name.localeCompare(b.name))
}
