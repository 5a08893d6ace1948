import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { packPackages } from '../src/pack.js'
import { publishedPackages } from '../src/workspace.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The packed published packages, shared by every fresh project. */
    tarballs: string[]
    /** A temporary folder for the fresh projects, removed after the run. */
    workDir: string
  }
}

/** Packs the published packages once for all test files; removes every fresh project at the end. */
export default async function setup(project: TestProject): Promise<() => void> {
  const workDir = mkdtempSync(join(tmpdir(), 'redrpc-examples-'))
  const tarballs = await packPackages(publishedPackages(), join(workDir, 'tarballs'))
  project.provide('tarballs', tarballs)
  project.provide('workDir', workDir)
  return () => rmSync(workDir, { recursive: true, force: true })
}
