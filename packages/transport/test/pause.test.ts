import { waitFor } from '@org/testkit'
import { useRedis } from '@org/testkit/vitest'
import { afterAll, describe, expect, it } from 'vitest'
import { TimeoutError, TransportClient } from '../src/index.js'
import { outcome } from './helpers/gate.js'
import { type ProviderProcess, startProvider } from './helpers/providerProcess.js'

const kit = useRedis()
afterAll(() => {
  kit.group.instances[0]?.resume()
})

describe('a frozen Redis (SIGSTOP) delays calls but loses none', () => {
  it('calls made before and during the pause resolve after resume; short timeouts reject with TimeoutError', async () => {
    const namespace = 'pause'
    const server = kit.group.instances[0]!
    let provider: ProviderProcess | undefined
    const client = new TransportClient(kit.redis, { namespace, timeoutMs: 30_000 })
    try {
      provider = await startProvider({ REDIS_URL: server.url, NAMESPACE: namespace, PROVIDER_ID: 'p1', DELAY_MS: '5' })
      expect(await client.request({ service: 'svc', providerId: 'p1', method: 'echo', params: 'warm' })).toBe('warm')
      const before = Array.from({ length: 200 }, (_, i) =>
        outcome(client.request({ service: 'svc', providerId: 'p1', method: 'echo', params: i })),
      )
      server.pause()
      const during = Array.from({ length: 200 }, (_, i) =>
        outcome(client.request({ service: 'svc', providerId: 'p1', method: 'echo', params: 200 + i })),
      )
      const short = outcome(
        client.request({ service: 'svc', providerId: 'p1', method: 'echo', params: 'x', timeoutMs: 300 }),
      )
      // The fault lasts until the short call has timed out: the client must not wait on Redis to judge time.
      const shortResult = await short
      expect(shortResult.ok ? undefined : shortResult.error).toBeInstanceOf(TimeoutError)
      server.resume()
      const results = await Promise.all([...before, ...during])
      expect(results.filter((r) => !r.ok)).toEqual([])
      expect(results.map((r) => (r.ok ? r.value : undefined))).toEqual(Array.from({ length: 400 }, (_, i) => i))
      // The timed-out request was skipped or answered; either way nothing is left behind.
      await waitFor(async () => (await kit.redis.xlen(`${namespace}:inbox:{svc/p1}`)) === 0, { what: 'an empty inbox' })
    } finally {
      server.resume()
      await provider?.kill()
      await client.close()
    }
  })
})
