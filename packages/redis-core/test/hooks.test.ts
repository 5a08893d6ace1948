import { describe, expect, it } from 'vitest'
import { composeHooks, type Hook } from '../src/index.js'

describe('composeHooks', () => {
  it('is undefined without hooks', () => {
    expect(composeHooks([])).toBeUndefined()
  })

  it('runs the hooks first outermost around the core, which sees the context they changed', async () => {
    const seen: string[] = []
    const hook =
      (name: string): Hook<{ trail: string[] }> =>
      async (ctx, next) => {
        seen.push(`${name} in`)
        ctx.trail.push(name)
        const result = await next()
        seen.push(`${name} out`)
        return `${name}(${String(result)})`
      }
    const run = composeHooks([hook('a'), hook('b')])!
    const result = await run({ trail: [] }, (ctx) => ctx.trail.join('+'))
    expect(result).toBe('a(b(a+b))')
    expect(seen).toEqual(['a in', 'b in', 'b out', 'a out'])
  })

  it('a hook may answer without next, and a throw (sync or not) rejects', async () => {
    const core = () => 'core'
    expect(await composeHooks<object>([() => 'cached'])!({}, core)).toBe('cached')
    const thrown = composeHooks<object>([
      () => {
        throw new Error('refused')
      },
    ])!
    await expect(thrown({}, core)).rejects.toThrow('refused')
    const failing = composeHooks<object>([(_ctx, next) => next()])!
    await expect(
      failing({}, () => {
        throw new Error('core failed')
      }),
    ).rejects.toThrow('core failed')
  })
})
