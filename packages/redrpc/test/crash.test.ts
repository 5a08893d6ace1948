import { waitFor } from '@org/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Stack, startStack } from './helpers.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack?.stop()
})

describe('a provider process SIGKILLed under load loses no call', { timeout: 120_000 }, () => {
  it('300 calls, 32 in flight, over two provider processes; one is killed mid-run; every call answers once', async () => {
    const [victim] = await Promise.all([stack.spawnProvider('pa'), stack.spawnProvider('pb')])
    const caller = stack.redRpc({}, false)
    const service = caller.getInstance('child_service')
    await service.ready()
    await waitFor(() => service.providers().length === 2, { timeoutMs: 10_000, what: 'both providers listed' })

    let goneAt = -1
    const startsToDead: number[] = []
    let started = 0
    caller.on('providerDown', (e) => {
      if (e.provider === 'pa-1') goneAt = started
    })
    caller.on('callStart', (e) => {
      started++
      if (goneAt >= 0 && e.provider === 'pa-1') startsToDead.push(started)
    })

    const total = 300
    const results = new Map<number, { n: number; provider: string; attempt: number }>()
    const errors: unknown[] = []
    let next = 0
    let answered = 0
    const worker = async () => {
      while (next < total) {
        const n = next++
        try {
          results.set(
            n,
            (await service.callApi('work', { n, ms: 5 })) as { n: number; provider: string; attempt: number },
          )
        } catch (err) {
          errors.push(err)
        }
        if (++answered === 60) victim.kill('SIGKILL')
      }
    }
    await Promise.all(Array.from({ length: 32 }, worker))

    expect(errors).toEqual([])
    expect(results.size).toBe(total)
    for (const [n, r] of results) expect(r.n).toBe(n)
    expect(goneAt).toBeGreaterThanOrEqual(0)
    // Once the registry said pa-1 was gone, no new call went to it.
    expect(startsToDead).toEqual([])
    expect(service.providers()).toEqual(['pb-1'])
    const byProvider = [...results.values()].filter((r) => r.provider === 'pb-1').length
    expect(byProvider).toBeGreaterThan(total / 2)
  })
})
