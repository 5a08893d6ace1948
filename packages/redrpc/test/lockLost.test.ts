import { waitFor } from '@org/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CallAbortedError, CallTimeoutError, type LockLostEvent, RemoteCallError } from '../src/index.js'
import { type Stack, startStack } from './helpers.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack?.stop()
})

/** A RedRpc serving `hold` under a lock on Resource_B: the handler waits for its signal, then resolves. */
async function holder(service: string) {
  const redRpc = stack.redRpc()
  const lost: LockLostEvent[] = []
  redRpc.on('lockLost', (e) => lost.push(e))
  const state = { held: false, settled: false }
  await redRpc.registerService(service, {
    hold: {
      lock: 'Resource_B',
      lockTtlMs: 1_000,
      handler: async (_p, ctx) => {
        state.held = true
        try {
          await waitFor(() => ctx.signal.aborted, { timeoutMs: 10_000, what: 'the handler signal to abort' })
          return 'done anyway'
        } finally {
          state.settled = true
        }
      },
    },
  })
  await redRpc.registerProvider(`${service}_p`, { count: 1 })
  return { redRpc, lost, state, api: redRpc.getInstance(service) }
}

describe('lockLost fires only when the lock was really lost', () => {
  it('a call whose deadline passes while it holds the lock emits no lockLost', async () => {
    const { redRpc, lost, state, api } = await holder('ll_deadline')
    await expect(api.callApi('hold', undefined, { timeoutMs: 400, retries: 0 })).rejects.toBeInstanceOf(
      CallTimeoutError,
    )
    await waitFor(() => state.settled, { timeoutMs: 5_000, what: 'the handler to see its deadline' })
    await waitFor(() => redRpc.stats().served['ll_deadline_p-1']?.inFlight === 0, {
      timeoutMs: 5_000,
      what: 'using() to settle',
    })
    expect(lost).toEqual([])
  })

  it('a call cancelled by its caller emits no lockLost', async () => {
    const { redRpc, lost, state, api } = await holder('ll_cancel')
    const controller = new AbortController()
    const call = api.callApi('hold', undefined, { signal: controller.signal, retries: 0 })
    await waitFor(() => state.held, { timeoutMs: 5_000, what: 'the handler to hold the lock' })
    controller.abort()
    await expect(call).rejects.toBeInstanceOf(CallAbortedError)
    await waitFor(() => state.settled, { timeoutMs: 5_000, what: 'the handler to see the cancel' })
    await waitFor(() => redRpc.stats().served['ll_cancel_p-1']?.inFlight === 0, {
      timeoutMs: 5_000,
      what: 'using() to settle',
    })
    expect(lost).toEqual([])
  })

  it('a lock deleted on every Redis emits lockLost once, and the caller learns its call failed with LOCK_LOST', async () => {
    const { lost, state, api } = await holder('ll_real')
    const call = api.callApi('hold', undefined, { retries: 0 }).catch((e: unknown) => e)
    await waitFor(() => state.held, { timeoutMs: 5_000, what: 'the handler to hold the lock' })
    await Promise.all(stack.group.instances.map((i) => i.client().del('redlock:{Resource_B}')))
    const err = await call
    expect(err).toBeInstanceOf(RemoteCallError)
    expect(err).toMatchObject({ code: 'LOCK_LOST', remoteName: 'LockLostError', data: { resources: ['Resource_B'] } })
    expect(lost).toHaveLength(1)
    expect(lost[0]).toMatchObject({ service: 'll_real', method: 'hold', resources: ['Resource_B'] })
  })
})
