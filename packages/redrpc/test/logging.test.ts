import { waitFor } from '@org/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Logger } from '../src/index.js'
import { debugLogger, Log, logLifecycle, resolveLog } from '../src/logging/index.js'
import { type Stack, startStack } from './helpers.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack?.stop()
})

interface Entry {
  level: string
  message: string
  fields: Record<string, unknown>
}
function capture(): { logger: Logger; entries: Entry[] } {
  const entries: Entry[] = []
  const at = (level: string) => (fields: Record<string, unknown>, message: string) =>
    entries.push({ level, message, fields })
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, entries }
}
const count = (entries: Entry[], message: string) => entries.filter((e) => e.message === message).length

describe('the logger option: what changes is logged once, never per call', () => {
  it('providers up and down, with pino-style (fields, message) calls', async () => {
    const { logger, entries } = capture()
    const caller = stack.redRpc({ logger }, false)
    const provider = stack.redRpc()
    await provider.registerService('lg_service', { ping: () => 'pong' })
    await provider.registerProvider('lg_service', { count: 1 })
    const api = caller.getInstance('lg_service')
    for (let i = 0; i < 20; i++) await api.callApi('ping')
    await provider.close()
    await waitFor(() => count(entries, 'provider down') === 1, { timeoutMs: 10_000, what: 'provider down' })
    expect(count(entries, 'provider up')).toBe(1)
    expect(entries.find((e) => e.message === 'provider down')?.fields).toMatchObject({
      name: 'redrpc:provider',
      service: 'lg_service',
      provider: 'lg_service-1',
      reason: 'deregistered',
    })
    expect(entries.length, 'nothing per call').toBe(2)
  })

  it('the Redis connection lost and recovered, once each', async () => {
    const { logger, entries } = capture()
    stack.redRpc({ logger }, false)
    const redis = stack.group.instances[0]
    if (!redis) throw new Error('no redis')
    await redis.kill()
    await waitFor(() => count(entries, 'Redis connection lost') === 1, { timeoutMs: 10_000, what: 'the loss' })
    await redis.restart()
    await waitFor(() => count(entries, 'Redis connection recovered') === 1, { timeoutMs: 15_000, what: 'recovery' })
    expect(count(entries, 'Redis connection lost')).toBe(1)
    const lost = entries.find((e) => e.message === 'Redis connection lost')
    expect(lost).toMatchObject({ level: 'warn', fields: { name: 'redrpc:connection', redis: stack.url.slice(8) } })
    expect(entries.find((e) => e.message === 'Redis connection recovered')?.fields.downMs).toBeGreaterThan(0)
  })

  it('background warnings of one kind are folded: logged once, then with the count of repeats', () => {
    const { logger, entries } = capture()
    const redis = stack.group.instances[1]?.client() ?? stack.group.clients()[1]
    if (!redis) throw new Error('no redis')
    const { tap, close } = logLifecycle(new Log(logger), redis, 'here:1')
    const err = Object.assign(new Error('dead letter written'), { code: 'DEAD_LETTER' })
    for (let i = 0; i < 5; i++) tap('warning', [err])
    tap('warning', [new Error('other')])
    close()
    expect(entries.map((e) => e.message)).toEqual(['dead letter written', 'other'])
    expect(entries[0]?.fields).toMatchObject({ name: 'redrpc:warning', code: 'DEAD_LETTER' })
    redis.disconnect()
  })

  it('a logger without the four methods is refused', () => {
    expect(() => stack.redRpc({ logger: { info() {} } as never })).toThrow('options.logger')
  })
})

describe('DEBUG=redrpc:* turns on logging to stderr; silent by default', () => {
  it('is silent without a logger and without DEBUG', () => {
    expect(resolveLog(undefined, {})).toBeUndefined()
    expect(resolveLog(undefined, { DEBUG: 'express:*' })).toBeUndefined()
  })

  it('matches topics with * and excludes with a leading -', () => {
    const lines: string[] = []
    const logger = debugLogger('redrpc:*,-redrpc:provider', (l) => lines.push(l)) as Logger
    const log = new Log(logger)
    log.warn('connection', 'Redis connection lost', { redis: 'h:1' })
    log.info('provider', 'provider up', { service: 's' })
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/ redrpc:connection warn Redis connection lost \{"redis":"h:1"\}\n$/)
  })
})
