import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, inject, it } from 'vitest'
import { publishedPackages, repoRoot } from '../src/workspace.js'

interface Manifest {
  name: string
  private?: boolean
  license?: string
  repository?: { type?: string; url?: string; directory?: string }
  homepage?: string
  bugs?: { url?: string }
  bin?: Record<string, string>
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  engines?: { node?: string }
}

function filesOf(tarball: string): string[] {
  return execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''))
}

function manifestOf(tarball: string): Manifest {
  return JSON.parse(execFileSync('tar', ['xzfO', tarball, 'package/package.json'], { encoding: 'utf8' }))
}

describe('what npm gets: every published package, packed', () => {
  const tarballs = inject('tarballs')
  const packed = tarballs.map((tarball) => ({ tarball, manifest: manifestOf(tarball), files: filesOf(tarball) }))

  it('packs the published packages and never a private one (test kit, benchmarks, these checks)', () => {
    const names = packed.map((p) => p.manifest.name).sort()
    expect(names).toEqual(publishedPackages().map((p) => p.name))
    for (const folder of ['testkit', 'bench', 'examples']) {
      const manifest = JSON.parse(readFileSync(join(repoRoot, 'packages', folder, 'package.json'), 'utf8'))
      expect(manifest.private, folder).toBe(true)
      expect(names).not.toContain(manifest.name)
    }
  })

  it.each(packed.map((p) => [p.manifest.name, p] as const))(
    '%s carries its LICENSE, README and nothing stray',
    (_name, p) => {
      expect(p.files).toContain('LICENSE')
      expect(p.files).toContain('README.md')
      const bins = Object.values(p.manifest.bin ?? {}).map((b) => b.replace(/^\.\//, ''))
      const stray = p.files.filter(
        (f) => !f.startsWith('dist/') && !['LICENSE', 'README.md', 'package.json', ...bins].includes(f),
      )
      expect(stray).toEqual([])
      // Only the library entry exists in both formats; a command is ESM only.
      const cjs = p.files.filter((f) => f.endsWith('.cjs'))
      expect(cjs).toEqual(['dist/index.cjs'])
      for (const bin of bins) expect(p.files).toContain(bin)
    },
  )

  it.each(packed.map((p) => [p.manifest.name, p.manifest] as const))(
    '%s says where it comes from, under which licence, and takes ioredis 5 or 6',
    (_name, manifest) => {
      expect(manifest.license).toBe('MIT')
      expect(manifest.repository?.url).toMatch(/^git\+https:\/\/.+\.git$/)
      expect(manifest.repository?.directory).toMatch(/^packages\/[a-z-]+$/)
      expect(manifest.homepage).toMatch(/^https:\/\//)
      expect(manifest.bugs?.url).toMatch(/^https:\/\//)
      expect(manifest.engines?.node).toBe('>=20')
      // Every package but the balancer (free of Redis by design) works on the user's ioredis.
      const ioredis = manifest.peerDependencies?.ioredis
      expect(ioredis).toBe(manifest.name === '@org/balancer' ? undefined : '^5.0.0 || ^6.0.0')
      for (const range of Object.values(manifest.dependencies ?? {})) expect(range).not.toMatch(/^workspace:/)
    },
  )
})
