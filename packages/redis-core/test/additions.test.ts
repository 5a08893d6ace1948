import { spawnSync } from 'node:child_process'
import { startRedis } from '@org/testkit'
import { describe, expect, it } from 'vitest'
import { assertNumber, crc16Step, keySlot, pendingReplies, SLOTS, tagSlot } from '../src/index.js'

describe('numbers are checked with TypeError for the wrong type and RangeError for the wrong value', () => {
  it('returns a number within the bounds', () => {
    expect(assertNumber(0, 'retryDelay', { min: 0 })).toBe(0)
    expect(assertNumber(2.5, 'driftFactor')).toBe(2.5)
    expect(assertNumber(1_000, 'ttl', { min: 1, max: 2_000, integer: true })).toBe(1_000)
  })

  it('refuses a non-number with a TypeError, and NaN, infinity, bounds and fractions with a RangeError', () => {
    expect(() => assertNumber('100', 'ttl')).toThrow(TypeError)
    expect(() => assertNumber(undefined, 'ttl')).toThrow(/ttl must be a number, got undefined/)
    expect(() => assertNumber(Number.NaN, 'ttl')).toThrow(RangeError)
    expect(() => assertNumber(Number.POSITIVE_INFINITY, 'ttl')).toThrow(RangeError)
    expect(() => assertNumber(-1, 'retryDelay', { min: 0 })).toThrow(/retryDelay must be a finite number >= 0/)
    expect(() => assertNumber(1.5, 'ttl', { min: 1, max: 9, integer: true, unit: 'milliseconds' })).toThrow(
      /ttl must be an integer from 1 to 9 \(milliseconds\), got 1.5/,
    )
  })
})

describe('slots can be computed from a hash tag in place, or one byte at a time', () => {
  it('tagSlot is the slot of the tag text, as keySlot computes it for a key with that tag', () => {
    for (const tag of ['a', 'Resource_A', 'ünï', '🔒', 'x}y']) {
      const text = `pre${tag}post`
      expect(tagSlot(text, 3, 3 + tag.length)).toBe(keySlot(tag))
    }
  })

  it('crc16Step walks a key one byte at a time to the same slot', () => {
    for (const key of ['', '0', 'emj', 'redlock:order-1', 'ünï']) {
      let crc = 0
      for (const b of Buffer.from(key)) crc = crc16Step(crc, b)
      expect(crc % SLOTS).toBe(keySlot(key))
    }
  })
})

describe('pendingReplies counts the replies a client still waits for', () => {
  it('is 0 when idle and counts commands in flight', async () => {
    const group = await startRedis({ count: 1 })
    const [client] = group.clients()
    try {
      await client!.ping()
      expect(pendingReplies(client!)).toBe(0)
      const sent = [client!.ping(), client!.ping()]
      expect(pendingReplies(client!)).toBe(2)
      await Promise.all(sent)
      expect(pendingReplies(client!)).toBe(0)
    } finally {
      client!.disconnect()
      await group.stop()
    }
  })
})

describe('Deadlines with unref: true', () => {
  it('does not keep the process alive while items wait', () => {
    const script = `
      import { Deadlines } from './src/Deadlines.ts'
      const d = new Deadlines(() => console.log('fired'), { unref: true })
      d.add({ deadline: performance.now() + 60_000, prev: undefined, next: undefined, list: undefined }, 60_000)
    `
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: new URL('..', import.meta.url).pathname,
      timeout: 20_000,
      encoding: 'utf8',
    })
    expect(run.error).toBeUndefined()
    expect(run.status).toBe(0)
    expect(run.stdout).toBe('')
  })
})
