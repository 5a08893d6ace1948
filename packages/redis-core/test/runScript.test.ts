import { waitFor } from '@org/testkit'
import { useRedis } from '@org/testkit/vitest'
import type { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { defineScript, pipelineScript, runScript } from '../src/index.js'
import { pushSource, scriptCommands } from './helpers.js'

const kit = useRedis()

function pushScript() {
  return defineScript({ name: 'push', numberOfKeys: 1, source: pushSource() })
}

/** Issues script, plain command, script without awaiting in between; resolves with the list they built. */
async function interleave(redis: Redis, key: string): Promise<string[]> {
  const push = pushScript()
  await Promise.all([
    runScript(redis, push, [key], ['a']),
    redis.rpush(key, 'b'),
    runScript(redis, push, [key], ['c']),
    redis.rpush(key, 'd'),
  ])
  return redis.lrange(key, 0, -1)
}

describe('a script call keeps its place in the connection order', () => {
  it('on its first use on a connection, when the server has never seen it', async () => {
    expect(await interleave(kit.redis, 'order:first')).toEqual(['a', 'b', 'c', 'd'])
  })

  it('after the server restarted (and lost its script cache) behind a live client', async () => {
    const instance = kit.group.instances[0]!
    const redis = instance.client()
    const push = pushScript()
    await runScript(redis, push, ['order:restart:warm'], ['x'])
    await instance.restart()
    await waitFor(() => redis.status === 'ready', { timeoutMs: 10_000, what: 'the client to reconnect' })
    await Promise.all([
      runScript(redis, push, ['order:restart'], ['a']),
      redis.rpush('order:restart', 'b'),
      runScript(redis, push, ['order:restart'], ['c']),
    ])
    expect(await redis.lrange('order:restart', 0, -1)).toEqual(['a', 'b', 'c'])
  })

  it('with a key prefix and with auto-pipelining (the client builds the command itself)', async () => {
    const instance = kit.group.instances[0]!
    const prefixed = instance.client({ keyPrefix: 'pre:' })
    expect(await interleave(prefixed, 'order:prefixed')).toEqual(['a', 'b', 'c', 'd'])
    expect(await kit.redis.exists('pre:order:prefixed')).toBe(1)
    const piped = instance.client({ enableAutoPipelining: true })
    expect(await interleave(piped, 'order:piped')).toEqual(['a', 'b', 'c', 'd'])
  })
})

describe('a script goes in full once per connection, by its SHA after that', () => {
  it('sends EVAL on first use, then EVALSHA', async () => {
    const redis = kit.group.instances[0]!.client()
    const push = pushScript()
    const before = await scriptCommands(kit.redis)
    for (let i = 0; i < 5; i++) await runScript(redis, push, ['count'], [String(i)])
    const after = await scriptCommands(kit.redis)
    expect(after.eval - before.eval).toBe(1)
    expect(after.evalsha - before.evalsha).toBe(4)
  })

  it('sends it in full again on a new connection of the same client', async () => {
    const redis = kit.group.instances[0]!.client()
    const push = pushScript()
    await runScript(redis, push, ['again'], ['1'])
    const closed = new Promise((resolve) => redis.once('close', resolve))
    redis.disconnect(true)
    await closed
    await waitFor(() => redis.status === 'ready', { timeoutMs: 10_000, what: 'the client to reconnect' })
    const before = await scriptCommands(kit.redis)
    await runScript(redis, push, ['again'], ['2'])
    const after = await scriptCommands(kit.redis)
    expect(after.eval - before.eval).toBe(1)
  })

  it('recovers from NOSCRIPT after a SCRIPT FLUSH on a live connection', async () => {
    const redis = kit.group.instances[0]!.client()
    const push = pushScript()
    await runScript(redis, push, ['flush'], ['a'])
    await kit.redis.script('FLUSH')
    expect(await runScript(redis, push, ['flush'], ['b'])).toBe(2)
    expect(await runScript(redis, push, ['flush'], ['c'])).toBe(3)
    expect(await redis.lrange('flush', 0, -1)).toEqual(['a', 'b', 'c'])
  })

  it('recovers from NOSCRIPT with a key prefix too (the client builds the command)', async () => {
    const redis = kit.group.instances[0]!.client({ keyPrefix: 'flushed:' })
    const push = pushScript()
    await runScript(redis, push, ['list'], ['a'])
    await kit.redis.script('FLUSH')
    expect(await runScript(redis, push, ['list'], ['b'])).toBe(2)
    expect(await kit.redis.lrange('flushed:list', 0, -1)).toEqual(['a', 'b'])
  })

  it('in a pipeline too, in full on first use', async () => {
    const redis = kit.group.instances[0]!.client()
    const push = pushScript()
    const pipeline = redis.pipeline()
    pipelineScript(redis, pipeline, push, ['piped'], ['a'])
    pipeline.rpush('piped', 'b')
    pipelineScript(redis, pipeline, push, ['piped'], ['c'])
    const replies = await pipeline.exec()
    expect(replies?.map(([err]) => err)).toEqual([null, null, null])
    expect(await redis.lrange('piped', 0, -1)).toEqual(['a', 'b', 'c'])
  })
})

describe('a script call is checked and replies as the script returns', () => {
  it('refuses a wrong number of keys before sending', async () => {
    await expect(runScript(kit.redis, pushScript(), ['a', 'b'], ['x'])).rejects.toThrow(/takes 1 key/)
  })

  it('passes Lua errors through, sent in full and by SHA', async () => {
    const failing = defineScript({ name: 'fails', numberOfKeys: 0, source: "return redis.error_reply('NOPE no')" })
    await expect(runScript(kit.redis, failing, [])).rejects.toThrow(/NOPE/)
    await expect(runScript(kit.redis, failing, [])).rejects.toThrow(/NOPE/)
  })

  it('replies with strings, numbers and arrays', async () => {
    const mixed = defineScript({ name: 'mixed', source: 'return { KEYS[1], 7, { ARGV[1] } }' })
    expect(await runScript(kit.redis, mixed, ['k'], ['v'])).toEqual(['k', 7, ['v']])
  })
})
