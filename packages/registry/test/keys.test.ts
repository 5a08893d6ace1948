import { useRedis } from '@org/testkit/vitest'
import { describe, expect, it } from 'vitest'
import { Registry, serviceKeys, servicesIndexKey, UnknownServiceError } from '../src/index.js'

const kit = useRedis()

describe('keys: one service, one hash tag, names as written', () => {
  it('keeps usual names readable', () => {
    expect(serviceKeys('redrpc', 'billing:v2').alive).toBe('redrpc:{billing:v2}:alive')
    expect(servicesIndexKey('redrpc')).toBe('redrpc:services')
  })

  it('gives services whose names differ only around a colon keys of their own', () => {
    const a = Object.values(serviceKeys('ns', 'a:b'))
    const b = Object.values(serviceKeys('ns:a', 'b'))
    expect(a.filter((k) => b.includes(k))).toEqual([])
  })
})

describe('a failed registration leaves nothing behind in Redis', () => {
  it('for a bad derived name, an unknown service or a bad id, no key is written', async () => {
    await kit.redis.flushall()
    const registry = new Registry(kit.redis, { namespace: 'clean' })
    try {
      await expect(registry.registerProvider('ghost', { id: 'p-1' })).rejects.toBeInstanceOf(UnknownServiceError)
      await expect(registry.registerProvider('ghost', { id: 'x'.repeat(201) })).rejects.toThrow(/provider.id/)
      await expect(registry.registerService({ name: 'ok', methods: ['not ok'] })).rejects.toThrow(RangeError)
      expect(await kit.redis.keys('*')).toEqual([])
    } finally {
      await registry.close()
    }
  })
})
