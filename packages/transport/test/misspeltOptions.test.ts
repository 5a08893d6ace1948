import { useRedis } from '@org/testkit/vitest'
import { describe, expect, it } from 'vitest'
import { TransportClient, TransportServer } from '../src/index.js'

const kit = useRedis()

describe('a misspelt option is refused with a TypeError naming it, never ignored', () => {
  it('server and client options', () => {
    const ok = { service: 'svc', providerId: 'p1' }
    expect(() => new TransportServer(kit.redis, { ...ok, concurency: 8 } as never)).toThrow(
      /options has no option 'concurency'/,
    )
    expect(() => new TransportClient(kit.redis, { timeoutMS: 10 } as never)).toThrow(
      /options has no option 'timeoutMS'/,
    )
    expect(() => new TransportClient(kit.redis, { timeoutMs: 10, replyTtlMs: 1_000 })).not.toThrow()
  })
})
