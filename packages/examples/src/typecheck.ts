import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { exec } from './exec.js'
import { newcomerCompilerOptions } from './freshProject.js'

/** One error the compiler reported. */
export interface Diagnostic {
  /** The file, relative to the project. */
  readonly file: string
  readonly line: number
  readonly message: string
}

/** Options of {@link compile}. */
export interface CompileOptions {
  /** The project folder (TypeScript installed in it). */
  readonly dir: string
  /** Files or folders of the project to compile. */
  readonly include: readonly string[]
  readonly skipLibCheck: boolean
  /** Emit JavaScript here; type-check only when left out. */
  readonly outDir?: string
  /** Name of the tsconfig file to write. */
  readonly tsconfig: string
}

const DIAGNOSTIC = /^(.+?)\((\d+),\d+\): error (TS\d+: .*)$/

/** Compiles with the newcomer's options and returns every error, read from the compiler's output. */
export async function compile(options: CompileOptions): Promise<{ diagnostics: Diagnostic[]; output: string }> {
  const compilerOptions = {
    ...newcomerCompilerOptions(options.skipLibCheck),
    ...(options.outDir ? { outDir: options.outDir, noEmit: false } : { noEmit: true }),
  }
  writeFileSync(
    join(options.dir, options.tsconfig),
    `${JSON.stringify({ compilerOptions, include: options.include }, null, 2)}\n`,
  )
  const result = await exec(
    process.execPath,
    ['node_modules/typescript/bin/tsc', '-p', options.tsconfig, '--pretty', 'false'],
    { cwd: options.dir, timeoutMs: 180_000 },
  )
  const diagnostics: Diagnostic[] = []
  for (const line of result.output.split('\n')) {
    const match = DIAGNOSTIC.exec(line.trim())
    if (match) diagnostics.push({ file: match[1] as string, line: Number(match[2]), message: match[3] as string })
  }
  if (result.code !== 0 && diagnostics.length === 0) {
    throw new Error(`tsc failed without a diagnostic it could read:\n${result.output}`)
  }
  return { diagnostics, output: result.output }
}
