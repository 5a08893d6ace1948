import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Stack, startStack, work } from './helpers.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack?.stop()
})

describe('a method can run under a read or write hold, or a permit (issue #19)', () => {
  it('{ write } calls never overlap any call on the name; { read } calls do overlap each other', async () => {
    const redRpc = stack.redRpc()
    let readers = 0
    let writers = 0
    let mostReaders = 0
    let overlaps = 0
    const tokens: bigint[] = []
    await redRpc.registerService('doc', {
      read: {
        lock: { read: (p: { id: string }) => p.id },
        handler: async () => {
          readers++
          mostReaders = Math.max(mostReaders, readers)
          if (writers > 0) overlaps++
          await work(5)
          readers--
        },
      },
      write: {
        lock: { write: ['Resource_A'] },
        handler: async (_p, ctx) => {
          writers++
          if (writers > 1 || readers > 0) overlaps++
          tokens.push(ctx.lock.fencingToken)
          await work(3)
          writers--
        },
      },
    })
    await redRpc.registerProvider('docs', { count: 3 })
    const service = redRpc.getInstance('doc')
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 4 === 0 ? service.callApi('write') : service.callApi('read', { id: 'Resource_A' }),
      ),
    )
    expect(overlaps).toBe(0)
    expect(mostReaders).toBeGreaterThan(1)
    expect(tokens).toHaveLength(10)
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]! > tokens[i - 1]!).toBe(true)
  })

  it('{ permits } runs at most that many calls at once over every provider', async () => {
    const redRpc = stack.redRpc()
    let inside = 0
    let most = 0
    await redRpc.registerService('vendor', {
      call: {
        permits: { name: 'vendor-api', permits: 2 },
        handler: async (_p, ctx) => {
          inside++
          most = Math.max(most, inside)
          await work(5)
          inside--
          return ctx.lock.fencingToken
        },
      },
    })
    await redRpc.registerProvider('vendors', { count: 3 })
    const service = redRpc.getInstance('vendor')
    const tokens = await Promise.all(Array.from({ length: 24 }, () => service.callApi('call')))
    expect(most).toBe(2)
    expect(new Set(tokens).size).toBe(24)
  })

  it('bad read/write or permits declarations are refused at registration', async () => {
    const redRpc = stack.redRpc()
    const handler = async () => {}
    await expect(
      redRpc.registerService('bad1', { m: { lock: { sideways: ['a'] } as never, handler } }),
    ).rejects.toThrow(TypeError)
    await expect(
      redRpc.registerService('bad2', { m: { permits: { name: 'v', permits: 0 }, handler } }),
    ).rejects.toThrow(RangeError)
    await expect(
      redRpc.registerService('bad3', { m: { permits: { name: 'v', permits: 1 }, lock: 'Resource_A', handler } }),
    ).rejects.toThrow(TypeError)
  })
})
