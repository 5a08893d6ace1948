import { type RedisGroup, startRedis } from '@org/testkit'
import Redis from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Registry } from '../src/index.js'
import { FAST } from './helpers.js'

let group: RedisGroup
/** Never connected: any command would make it connect, so its status proves nothing was sent. */
let untouched: Redis

beforeAll(async () => {
  group = await startRedis()
  untouched = new Redis({ host: '127.0.0.1', port: group.instances[0]!.port, lazyConnect: true })
})
afterAll(async () => {
  untouched.disconnect()
  await group.stop()
})

describe('a misspelt option is refused with a TypeError naming it, before Redis is touched', () => {
  it('constructor, service, provider, update and registerService options', async () => {
    expect(() => new Registry(untouched, { ...FAST, heartbeatMS: 5 } as never)).toThrow(
      /options has no option 'heartbeatMS'/,
    )
    const r = new Registry(untouched, FAST)
    await expect(r.registerService({ name: 's', method: ['m'] } as never)).rejects.toThrow(
      /service has no option 'method'/,
    )
    await expect(r.registerService({ name: 's' }, { replace: null } as never)).rejects.toThrow(
      /registerService options has no option 'replace'/,
    )
    await expect(r.registerProvider('s', { wieght: 5 } as never)).rejects.toThrow(/provider has no option 'wieght'/)
    expect(untouched.status).toBe('wait')
  })
})
