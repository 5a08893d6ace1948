import { useRedis } from '@org/testkit/vitest'
import { describe, expect, it } from 'vitest'
import { RemoteError, TransportClient, TransportServer } from '../src/index.js'

const kit = useRedis()

describe.each(['json', 'msgpack'] as const)('a call returns the handler result (%s codec)', (codec) => {
  it('carries params, metadata and result both ways', async () => {
    const server = new TransportServer(kit.redis, { namespace: `rt-${codec}`, service: 'svc', providerId: 'p1', codec })
    server.handle('echo', async (params, ctx) => ({ params, metadata: ctx.metadata, attempt: ctx.attempt }))
    server.handle('nothing', () => undefined)
    await server.start()
    const client = new TransportClient(kit.redis, { namespace: `rt-${codec}`, codec })
    try {
      const params = { text: 'héllo', n: 42, list: [1, null, 'x'], nested: { ok: true } }
      const result = await client.request({
        service: 'svc',
        providerId: 'p1',
        method: 'echo',
        params,
        metadata: { trace: 't1' },
      })
      expect(result).toEqual({ params, metadata: { trace: 't1' }, attempt: 1 })
      expect(await client.request({ service: 'svc', providerId: 'p1', method: 'nothing' })).toBeUndefined()
      const many = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          client.request({ service: 'svc', providerId: 'p1', method: 'echo', params: i }),
        ),
      )
      expect(many.map((r) => (r as { params: number }).params)).toEqual(Array.from({ length: 200 }, (_, i) => i))
    } finally {
      await client.close()
      await server.stop()
    }
  })
})

describe('a handler error reaches the caller as RemoteError', () => {
  it('keeps name, message, code and data', async () => {
    const server = new TransportServer(kit.redis, { namespace: 'remote', service: 'svc', providerId: 'p1' })
    server.handle('fail', () => {
      const err = Object.assign(new Error('no such user'), { name: 'NotFound', code: 'E_NOT_FOUND', data: { id: 7 } })
      throw err
    })
    await server.start()
    const client = new TransportClient(kit.redis, { namespace: 'remote' })
    try {
      const err = (await client
        .request({ service: 'svc', providerId: 'p1', method: 'fail' })
        .catch((e) => e)) as RemoteError
      expect(err).toBeInstanceOf(RemoteError)
      expect(err).toMatchObject({
        remoteName: 'NotFound',
        message: 'no such user',
        code: 'E_NOT_FOUND',
        data: { id: 7 },
      })
      expect(err.notExecuted).toBe(false)
      expect(err.remoteStack).toBeUndefined()
    } finally {
      await client.close()
      await server.stop()
    }
  })
})
