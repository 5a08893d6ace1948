import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CodecError, RemoteCallError, ValidationError } from '../src/index.js'
import { type Stack, startStack } from './helpers.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack?.stop()
})

/** A schema refusing any value that is not a string (Standard Schema V1, no library needed). */
const stringOnly = {
  '~standard': {
    version: 1 as const,
    vendor: 'test',
    validate: (value: unknown) =>
      typeof value === 'string' ? { value } : { issues: [{ message: 'expected a string' }] },
  },
}

describe("a handler's error using a refusal's code is not taken for the provider's refusal", () => {
  it('INVALID_PARAMS / INVALID_RESULT / REDRPC_RESULT_NOT_ENCODABLE from a handler arrive as RemoteCallError', async () => {
    const redRpc = stack.redRpc()
    const fake = (code: string, data: object) => () => {
      throw Object.assign(new Error('from a library the handler uses'), { code, data })
    }
    await redRpc.registerService('rc_fake', {
      params: fake('INVALID_PARAMS', { target: 'params', issues: [{ message: 'made up' }] }),
      result: fake('INVALID_RESULT', { target: 'result', issues: [] }),
      codec: fake('REDRPC_RESULT_NOT_ENCODABLE', { reason: 'made up' }),
      // Even with the mark a refusal carries: it is stripped from a handler's error.
      marked: fake('INVALID_PARAMS', { target: 'params', issues: [], $redrpc: 'refusal', kept: 1 }),
    })
    await redRpc.registerProvider('rcf', { count: 1 })
    const api = redRpc.getInstance('rc_fake')
    for (const [method, code] of [
      ['params', 'INVALID_PARAMS'],
      ['result', 'INVALID_RESULT'],
      ['codec', 'REDRPC_RESULT_NOT_ENCODABLE'],
      ['marked', 'INVALID_PARAMS'],
    ] as const) {
      const err = await api.callApi(method).catch((e: unknown) => e)
      expect(err, method).toBeInstanceOf(RemoteCallError)
      expect(err, method).not.toBeInstanceOf(ValidationError)
      expect(err, method).not.toBeInstanceOf(CodecError)
      expect(err, method).toMatchObject({ code, remoteName: 'Error' })
    }
    const marked = (await api.callApi('marked').catch((e: unknown) => e)) as RemoteCallError
    expect(marked.data).toEqual({ target: 'params', issues: [], kept: 1 })
  })

  it("the provider's own refusals still arrive as ValidationError and CodecError", async () => {
    const redRpc = stack.redRpc()
    await redRpc.registerService('rc_real', {
      checked: { params: stringOnly, handler: (p: unknown) => p },
      fn: () => () => 1,
    })
    await redRpc.registerProvider('rcr', { count: 1 })
    // Another RedRpc, as in another process: it has no schema, so only the provider can refuse.
    const other = stack.redRpc({}, false)
    const api = other.getInstance('rc_real')
    const invalid = await api.callApi('checked', 42).catch((e: unknown) => e)
    expect(invalid).toBeInstanceOf(ValidationError)
    expect(invalid).toMatchObject({ target: 'params', remote: true })
    const unencodable = await api.callApi('fn').catch((e: unknown) => e)
    expect(unencodable).toBeInstanceOf(CodecError)
    expect(unencodable).toMatchObject({ remote: true })
  })
})
