import { describe, expect, it } from 'vitest'
import { type CallHookContext, HookSet } from '../src/hooks/index.js'

const ctx = {} as CallHookContext

/** A call hook that notes its name on the way in and passes on. */
const noting = (order: string[], name: string) => ({
  call: (_c: CallHookContext, next: () => Promise<unknown>) => {
    order.push(name)
    return next()
  },
})

describe('hooks are composed once per change, not per call', () => {
  it('nothing registered: no dispatch at all, so a call takes the path without hooks', () => {
    const set = new HookSet()
    expect(set.call).toBeUndefined()
    expect(set.handle).toBeUndefined()
    const remove = set.add({ call: (_c, next) => next() })
    expect(set.call).toBeTypeOf('function')
    expect(set.handle).toBeUndefined()
    remove()
    expect(set.call).toBeUndefined()
  })

  it('runs the first registered outermost, and the core innermost, with what the hooks returned', async () => {
    const set = new HookSet()
    const order: string[] = []
    set.add(noting(order, 'a'))
    set.add(noting(order, 'b'))
    const result = await set.call?.(ctx, () => {
      order.push('core')
      return 42
    })
    expect(result).toBe(42)
    expect(order).toEqual(['a', 'b', 'core'])
  })

  it('a hook or a core that throws synchronously rejects instead', async () => {
    const set = new HookSet()
    set.add({
      call: () => {
        throw new Error('refused')
      },
    })
    await expect(set.call?.(ctx, () => 1)).rejects.toThrow('refused')
    const other = new HookSet()
    other.add({ call: (_c, next) => next() })
    await expect(
      other.call?.(ctx, () => {
        throw new Error('core failed')
      }),
    ).rejects.toThrow('core failed')
  })

  it('replace keeps the place of what it replaces, and the first remove function then removes the replacement', async () => {
    const set = new HookSet()
    const order: string[] = []
    const placeholder = noting(order, 'placeholder')
    const remove = set.add(placeholder)
    set.add(noting(order, 'later'))
    set.replace(placeholder, noting(order, 'real'))
    await set.call?.(ctx, () => order.push('core'))
    expect(order).toEqual(['real', 'later', 'core'])
    remove()
    order.length = 0
    await set.call?.(ctx, () => order.push('core'))
    expect(order).toEqual(['later', 'core'])
  })
})
