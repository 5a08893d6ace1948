import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { mustExec } from './exec.js'

/** The TypeScript a newcomer installs today on Node 20 (the 6.x line needs deprecation opt-ins, 7.x is native). */
export const TYPESCRIPT_VERSION = '5.9.3'

/** Options of {@link createFreshProject}. */
export interface FreshProjectOptions {
  /** An empty folder to create the project in. */
  readonly dir: string
  /** The packed packages to install. */
  readonly tarballs: readonly string[]
  /** The ioredis a newcomer asks npm for, e.g. `'5'` or `'6'` (npm picks the newest of that major). */
  readonly ioredis: string
}

/** A new npm project with the packages installed as a newcomer would install them. */
export interface FreshProject {
  readonly dir: string
  /** What `npm i <packages> ioredis@<major>` printed. */
  readonly installOutput: string
  /** What the next `npm i -D typescript @types/node` printed (it failed with ERESOLVE on a too narrow peer range). */
  readonly devInstallOutput: string
}

const NPM_FLAGS = ['--no-audit', '--no-fund', '--loglevel=warn']

/**
 * Creates an ES-module npm project, installs the tarballs with ioredis in one command (as `npm i @org/redlock
 * ioredis` would), then TypeScript as a second step (where a conflicting peer range used to make npm give up).
 */
export async function createFreshProject(options: FreshProjectOptions): Promise<FreshProject> {
  const { dir } = options
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'newcomer', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
  )
  const npm = { cwd: dir, timeoutMs: 180_000 }
  const installOutput = await mustExec(
    'npm',
    ['install', ...options.tarballs, `ioredis@${options.ioredis}`, ...NPM_FLAGS],
    npm,
  )
  const devInstallOutput = await mustExec(
    'npm',
    ['install', '--save-dev', `typescript@${TYPESCRIPT_VERSION}`, '@types/node@20', ...NPM_FLAGS],
    npm,
  )
  return { dir, installOutput, devInstallOutput }
}

/** The compiler options a newcomer's strict Node project has: `nodenext`, strict, ES2022. */
export function newcomerCompilerOptions(skipLibCheck: boolean): Record<string, unknown> {
  return {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    lib: ['es2023', 'esnext.disposable'],
    types: ['node'],
    strict: true,
    skipLibCheck,
    // Every example is a module of its own, even one without imports, so two examples never share globals.
    moduleDetection: 'force',
  }
}
