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

  it('a breaker that opens is logged once, however many calls it then refuses', async () => {
    const { logger, entries } = capture()
    const redRpc = stack.redRpc({
      logger,
      call: { timeoutMs: 200, retries: 0, breaker: { failureThreshold: 2, cooldownMs: 60_000 } },
    })
    await redRpc.registerService('lg_breaker', { hang: () => new Promise(() => {}) })
    await redRpc.registerProvider('lg_breaker', { count: 1 })
    const api = redRpc.getInstance('lg_breaker')
    const errors: string[] = []
    for (let i = 0; i < 8; i++)
      errors.push(
        await api.callApi('hang').then(
          () => 'answered',
          (e: Error) => e.name,
        ),
      )
    expect(errors.slice(0, 2)).toEqual(['CallTimeoutError', 'CallTimeoutError'])
    expect(errors.slice(2)).toEqual(Array(6).fill('CircuitOpenError'))
    expect(count(entries, 'circuit breaker open')).toBe(1)
    expect(entries.find((e) => e.message === 'circuit breaker open')).toMatchObject({
      level: 'warn',
      fields: { name: 'redrpc:breaker', service: 'lg_breaker', provider: 'lg_breaker-1' },
    })
  })

  it('a lock lost while the handler runs is logged once, as an error naming the resources', async () => {
    const { logger, entries } = capture()
    const redRpc = stack.redRpc({ logger })
    let held = false
    await redRpc.registerService('lg_lock', {
      hold: {
        lock: 'Resource_C',
        lockTtlMs: 1_000,
        handler: async (_p: unknown, ctx) => {
          held = true
          await waitFor(() => ctx.signal.aborted, { timeoutMs: 10_000, what: 'the lock to be lost' })
        },
      },
    })
    await redRpc.registerProvider('lg_lock', { count: 1 })
    const call = redRpc
      .getInstance('lg_lock')
      .callApi('hold', undefined, { retries: 0 })
      .catch((e: unknown) => e)
    await waitFor(() => held, { timeoutMs: 5_000, what: 'the handler to hold the lock' })
    await Promise.all(stack.group.instances.map((i) => i.client().del('redlock:{Resource_C}')))
    expect(await call).toMatchObject({ code: 'LOCK_LOST' })
    expect(count(entries, 'lock lost while the handler ran')).toBe(1)
    expect(entries.find((e) => e.message === 'lock lost while the handler ran')).toMatchObject({
      level: 'error',
      fields: { name: 'redrpc:lock', service: 'lg_lock', method: 'hold', resources: ['Resource_C'] },
    })
  })

  it('a crashed provider process: its going and the adoption of its inbox are logged once each', async () => {
    const { logger, entries } = capture()
    const local = stack.redRpc({ logger })
    // The same definition as the child's (test/fixtures/provider.ts), so this process may adopt its inbox.
    await local.registerService('child_service', {
      work: async (p: { n: number }) => p,
      whoami: { idempotent: true, handler: (_p: unknown, ctx) => ctx.providerId },
    })
    await local.registerProvider('lg_local', { count: 1 })
    await local.getInstance('child_service').ready() // a caller here: it hears providers come and go
    const child = await stack.spawnProvider('lg_child')
    await waitFor(() => count(entries, 'provider up') === 2, { timeoutMs: 10_000, what: 'both providers up' })
    child.kill('SIGKILL')
    await waitFor(() => count(entries, 'inbox adopted') === 1, { timeoutMs: 10_000, what: 'the adoption' })
    expect(entries.find((e) => e.message === 'inbox adopted')?.fields).toMatchObject({
      name: 'redrpc:provider',
      service: 'child_service',
      provider: 'lg_child-1',
      by: 'lg_local-1',
    })
    const down = entries.filter((e) => e.message === 'provider down')
    expect(down).toHaveLength(1)
    expect(down[0]).toMatchObject({ level: 'warn', fields: { provider: 'lg_child-1', reason: 'expired' } })
  })

  it('dead letters: malformed requests in an inbox are dead-lettered one by one, and logged once', async () => {
    const { logger, entries } = capture()
    const redRpc = stack.redRpc({ logger })
    await redRpc.registerService('lg_dead', { ping: () => 'pong' })
    await redRpc.registerProvider('lg_dead', { count: 1 })
    const redis = stack.group.instances[0]?.client()
    if (!redis) throw new Error('no redis')
    const [inbox] = await redis.keys(`${stack.namespace}:inbox:*lg_dead*`)
    expect(inbox).toBeDefined()
    // Records no caller would write: each one is settled as a dead letter (MALFORMED) by the provider.
    for (let i = 0; i < 5; i++) await redis.xadd(inbox as string, '*', 'garbage', `${i}`)
    const dead = () => entries.filter((e) => e.fields.name === 'redrpc:warning' && /dead-lettered/.test(e.message))
    const stream = (inbox as string).replace(':inbox:', ':dead:') // the inbox's dead-letter stream
    await waitFor(async () => (await redis.exists(stream)) === 1 && (await redis.xlen(stream)) === 5, {
      timeoutMs: 10_000,
      what: 'five dead letters',
    })
    expect(dead()).toHaveLength(1)
    expect(await redRpc.getInstance('lg_dead').callApi('ping')).toBe('pong')
    redis.disconnect()
  })

  it('background warnings of one kind are folded: logged once, then with the count of repeats', () => {
    const { logger, entries } = capture()
    const tap = logLifecycle(new Log(logger))
    const err = Object.assign(new Error('dead letter written'), { code: 'DEAD_LETTER' })
    for (let i = 0; i < 5; i++) tap('warning', [err])
    tap('warning', [new Error('other')])
    expect(entries.map((e) => e.message)).toEqual(['dead letter written', 'other'])
    expect(entries[0]?.fields).toMatchObject({ name: 'redrpc:warning', code: 'DEAD_LETTER' })
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
