import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { Lock } from '../src/index.js'
import { fresh, useRedis } from './helpers.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = (file: string) => `${root}dist/${file}`

/** The names a README paragraph lists in backticks, after its label: "Values: `A`, `b`." */
function listed(readme: string, label: string): string[] {
  const section = readme.split('### Everything exported')[1]?.split(/\n#/)[0] ?? ''
  const paragraph = section.split(/\n\s*\n/).find((p) => p.startsWith(`${label}:`))
  if (!paragraph) throw new Error(`README: no "${label}:" paragraph under "### Everything exported"`)
  return [...paragraph.matchAll(/`([^`]+)`/g)].map((m) => m[1]!).sort()
}

/** The names the built declaration file exports, split into values and type-only exports. */
function declared(dts: string): { values: string[]; types: string[] } {
  const statements = [...dts.matchAll(/^export \{([^}]*)\};?$/gm)]
  expect(statements).toHaveLength(1)
  const names = statements[0]![1]!.split(',').map((n) => n.trim())
  return {
    values: names.filter((n) => !n.startsWith('type ')).sort(),
    types: names
      .filter((n) => n.startsWith('type '))
      .map((n) => n.slice(5))
      .sort(),
  }
}

describe("the README's list of exports is the built package's", () => {
  beforeAll(() => {
    if (!existsSync(dist('index.js'))) throw new Error('build first: pnpm --filter @org/redlock build')
  })

  it('every value and every type, in the ESM build, the CJS build and the declarations', async () => {
    const readme = readFileSync(`${root}README.md`, 'utf8')
    const esm = Object.keys(await import(pathToFileURL(dist('index.js')).href)).sort()
    const cjs = Object.keys(createRequire(import.meta.url)(dist('index.cjs'))).sort()
    const dts = declared(readFileSync(dist('index.d.ts'), 'utf8'))
    expect(listed(readme, 'Values')).toEqual(esm)
    expect(cjs).toEqual(esm)
    expect(dts.values).toEqual(esm)
    expect(listed(readme, 'Types')).toEqual(dts.types)
    expect(readFileSync(dist('index.d.cts'), 'utf8')).toBe(readFileSync(dist('index.d.ts'), 'utf8'))
  })
})

describe("a Lock's public surface is what the README documents, nothing of its owner's bookkeeping", () => {
  const redis = useRedis(1)
  const documented = ['attempts', 'fencingToken', 'resources', 'value']
  const accessors = ['expiration', 'released', 'remaining', 'ttl', 'valid']
  const methods = ['extend', 'release']

  it('an acquired lock has only the documented properties, getters and methods', async () => {
    const lock = await redis.redlock().acquire(fresh(), 5_000)
    expect(Object.keys(lock).sort()).toEqual(documented)
    const names = Object.getOwnPropertyNames(Lock.prototype).filter((n) => n !== 'constructor')
    expect(names.sort()).toEqual([...accessors, ...methods].sort())
    expect(Object.getOwnPropertySymbols(Lock.prototype)).toEqual([Symbol.asyncDispose])
    await lock.release()
  })

  it('the built declarations do not mention the bookkeeping either', () => {
    const dts = readFileSync(dist('index.d.ts'), 'utf8')
    const lockClass = dts.slice(
      dts.indexOf('declare class Lock '),
      dts.indexOf('\n}', dts.indexOf('declare class Lock ')),
    )
    for (const internal of ['renew', 'markReleased', 'raiseCeiling', 'ownedBy', 'tokenCeiling', 'validUntil']) {
      expect(lockClass).not.toMatch(new RegExp(`\\b${internal}\\b`))
    }
  })
})
