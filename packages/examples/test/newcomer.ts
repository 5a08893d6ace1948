import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { type RedisGroup, startRedis } from '@org/testkit'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { exec } from '../src/exec.js'
import { createFreshProject, type FreshProject } from '../src/freshProject.js'
import { mapPorts, README_PORTS } from '../src/ports.js'
import { type CodeBlock, readmeBlocks } from '../src/readmeBlocks.js'
import { compile, type Diagnostic } from '../src/typecheck.js'
import { publishedPackages, repoRoot } from '../src/workspace.js'

const packages = publishedPackages()
const readmes = [join(repoRoot, 'README.md'), ...packages.map((p) => p.readme)]
const blocks = readmes
  .filter((r) => existsSync(r))
  .flatMap(readmeBlocks)
  .map((block) => ({ block, file: fileNameOf(block) }))
const RUN_TIMEOUT_MS = 20_000

function fileNameOf(block: CodeBlock): string {
  const where =
    relative(repoRoot, block.readme)
      .replace(/\/?README\.md$/, '')
      .replace(/^packages\//, '') || 'root'
  return `${where}-L${block.line}`
}

function whereIs(block: CodeBlock): string {
  return `${relative(repoRoot, block.readme)}:${block.line}`
}

/** Diagnostics of the README examples, told by README line instead of by generated file. */
function onReadmeLines(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => {
    const found = blocks.find(({ file }) => d.file === `examples/${file}.ts`)
    return found
      ? `${relative(repoRoot, found.block.readme)}:${found.block.line + d.line - 1}: ${d.message}`
      : `${d.file}:${d.line}: ${d.message}`
  })
}

/**
 * What a newcomer does with ioredis of one major: installs the packed packages and ioredis in a fresh npm project,
 * then TypeScript, copies the README examples, type-checks them with `nodenext`, and runs the runnable ones.
 */
export function describeNewcomer(ioredis: '5' | '6'): void {
  describe(`a newcomer with ioredis ${ioredis}`, () => {
    let project: FreshProject
    let servers: RedisGroup
    let ports: number[]

    beforeAll(async () => {
      project = await createFreshProject({
        dir: join(inject('workDir'), `ioredis${ioredis}`),
        tarballs: inject('tarballs'),
        ioredis,
      })
      servers = await startRedis({ count: README_PORTS.length })
      ports = servers.instances.map((i) => i.port)
      mkdirSync(join(project.dir, 'examples'), { recursive: true })
      for (const { block, file } of blocks) {
        const code = block.run ? mapPorts(block.code, ports) : block.code
        writeFileSync(join(project.dir, 'examples', `${file}.ts`), code)
      }
    })

    afterAll(async () => {
      await servers?.stop()
    })

    it('finds a README in every published package', () => {
      expect(packages.filter((p) => !existsSync(p.readme)).map((p) => p.name)).toEqual([])
    })

    it('installs with ioredis and then TypeScript, with no peer dependency conflict', () => {
      for (const output of [project.installOutput, project.devInstallOutput]) {
        expect(output).not.toMatch(/ERESOLVE|Conflicting peer|peer dependency/i)
      }
    })

    it('compiles every TypeScript example of the READMEs under nodenext and strict', async () => {
      expect(blocks.length).toBeGreaterThan(20)
      const { diagnostics } = await compile({
        dir: project.dir,
        include: ['examples'],
        skipLibCheck: true,
        outDir: 'out',
        tsconfig: 'tsconfig.examples.json',
      })
      expect(onReadmeLines(diagnostics)).toEqual([])
    })

    it.each(blocks.filter(({ block }) => block.run).map(({ block, file }) => [whereIs(block), file] as const))(
      'runs %s against Redis and exits by itself',
      async (_where, file) => {
        await Promise.all(servers.instances.map((i) => i.client().flushall()))
        const result = await exec(process.execPath, [join('out', `${file}.js`)], {
          cwd: project.dir,
          timeoutMs: RUN_TIMEOUT_MS,
        })
        expect(result.timedOut, `did not exit by itself within ${RUN_TIMEOUT_MS} ms:\n${result.output}`).toBe(false)
        expect(result.code, result.output).toBe(0)
      },
    )

    it('gives the same exports to import and require', async () => {
      const names = packages.map((p) => p.name)
      writeFileSync(
        join(project.dir, 'exports.cjs'),
        `const out = {}\nfor (const name of ${JSON.stringify(names)}) out[name] = Object.keys(require(name)).sort()\nconsole.log(JSON.stringify(out))\n`,
      )
      writeFileSync(
        join(project.dir, 'exports.mjs'),
        `const out = {}\nfor (const name of ${JSON.stringify(names)}) out[name] = Object.keys(await import(name)).filter((k) => k !== 'default').sort()\nconsole.log(JSON.stringify(out))\n`,
      )
      const [cjs, esm] = await Promise.all(
        ['exports.cjs', 'exports.mjs'].map((f) => exec(process.execPath, [f], { cwd: project.dir, timeoutMs: 30_000 })),
      )
      expect(cjs?.code, cjs?.output).toBe(0)
      expect(esm?.code, esm?.output).toBe(0)
      const fromRequire = JSON.parse(cjs?.output ?? '') as Record<string, string[]>
      expect(JSON.parse(esm?.output ?? '')).toEqual(fromRequire)
      for (const name of names) expect(fromRequire[name]?.length, name).toBeGreaterThan(0)
    })

    it('type-checks a CommonJS TypeScript file against the packages’ .d.cts types', async () => {
      mkdirSync(join(project.dir, 'cjs'), { recursive: true })
      const imports = packages.map((p, i) => `import * as p${i} from '${p.name}'`).join('\n')
      writeFileSync(
        join(project.dir, 'cjs', 'uses.cts'),
        `${imports}\nimport { Redis } from 'ioredis'\nimport { Redlock } from '@org/redlock'\nexport const lock = new Redlock([new Redis(6379, { lazyConnect: true })])\nexport const all = [${packages.map((_, i) => `p${i}`).join(', ')}]\n`,
      )
      const { diagnostics } = await compile({
        dir: project.dir,
        include: ['cjs'],
        skipLibCheck: true,
        tsconfig: 'tsconfig.cjs.json',
      })
      expect(diagnostics).toEqual([])
    })

    it('ships declarations that type-check without skipLibCheck (only ioredis’ own may not)', async () => {
      mkdirSync(join(project.dir, 'libcheck'), { recursive: true })
      writeFileSync(
        join(project.dir, 'libcheck', 'uses.ts'),
        `${packages.map((p, i) => `import * as p${i} from '${p.name}'`).join('\n')}\nexport const all = [${packages.map((_, i) => `p${i}`).join(', ')}]\n`,
      )
      const { diagnostics } = await compile({
        dir: project.dir,
        include: ['libcheck'],
        skipLibCheck: false,
        tsconfig: 'tsconfig.libcheck.json',
      })
      const ours = diagnostics.filter((d) => !d.file.includes('node_modules/ioredis/'))
      expect(ours).toEqual([])
      if (ioredis === '5') expect(diagnostics).toEqual([])
    })
  })
}
