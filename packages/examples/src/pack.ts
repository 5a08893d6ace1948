import { mustExec } from './exec.js'
import type { PublishedPackage } from './workspace.js'

/**
 * Packs each package the way `pnpm publish` would (workspace ranges replaced by versions, only `files` included)
 * into `destination`, and returns the tarballs' paths. The packages must be built.
 */
export async function packPackages(packages: readonly PublishedPackage[], destination: string): Promise<string[]> {
  const tarballs: string[] = []
  for (const pkg of packages) {
    const output = await mustExec('pnpm', ['pack', '--pack-destination', destination], {
      cwd: pkg.dir,
      timeoutMs: 60_000,
    })
    const tarball = output
      .trim()
      .split('\n')
      .reverse()
      .find((line) => line.endsWith('.tgz'))
    if (!tarball) throw new Error(`pnpm pack printed no tarball for ${pkg.name}:\n${output}`)
    tarballs.push(tarball.trim())
  }
  return tarballs
}
