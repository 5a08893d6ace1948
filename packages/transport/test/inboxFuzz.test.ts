import { waitFor } from '@org/testkit'
import { useRedis } from '@org/testkit/vitest'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { TransportClient, TransportServer } from '../src/index.js'
import { eachReply } from '../src/wire.js'
import { requestRecord } from './helpers/records.js'

const kit = useRedis()

const namespace = 'fuzz'
const probe = `${namespace}:reply:{probe}`

/** Values a hostile or broken sender might put anywhere: text, bytes, separators, huge and negative numbers. */
const junk = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '\t', '\n', '-', '-1', '0', '1e3', 'NaN', '{', '}', `${namespace}:inbox:{svc/p1}`),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.integer().map(String),
)

/** One header field: usually the valid value, sometimes junk. */
const field = (valid: fc.Arbitrary<string>) => fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: junk })

/** A request record mutated field by field, its lengths right or wrong, sometimes cut short. */
const mutatedRecord = fc
  .record({
    id: field(fc.nat().map((n) => `bad-${n}`)),
    replyTo: field(fc.constant(probe)),
    method: field(fc.constantFrom('echo', 'nope')),
    timeLeftMs: field(fc.integer({ min: 1, max: 60_000 }).map(String)),
    codec: field(fc.constantFrom('json', 'msgpack')),
    attempt: field(fc.integer({ min: 1, max: 9 }).map(String)),
    replyMaxLength: field(fc.integer({ min: 1, max: 100_000 }).map(String)),
    metadata: fc.option(fc.oneof(fc.constant('{"t":1}'), fc.string({ maxLength: 10 })), { nil: undefined }),
    params: fc.oneof(fc.constant('"x"'), fc.string({ maxLength: 10 }), fc.string({ unit: 'binary', maxLength: 10 })),
    paramsLength: fc.option(junk, { nil: undefined }),
    metadataLength: fc.option(junk, { nil: undefined }),
    extraFields: fc.option(fc.array(junk, { maxLength: 2 }), { nil: undefined }),
    cut: fc.option(fc.nat(), { nil: undefined }),
  })
  .map((r) => {
    const metadata = r.metadata ?? ''
    const header = [
      r.id,
      r.replyTo,
      r.method,
      r.timeLeftMs,
      r.codec,
      r.attempt,
      r.replyMaxLength,
      r.paramsLength ?? String(Buffer.byteLength(r.params)),
      r.metadataLength ?? (r.metadata === undefined ? '-1' : String(Buffer.byteLength(metadata))),
      ...(r.extraFields ?? []),
    ].join('\t')
    const bytes = Buffer.from(`${header}\n${metadata}${r.params}`)
    return r.cut === undefined ? bytes : bytes.subarray(0, r.cut % (bytes.length + 1))
  })

/** An inbox entry: fields named `q`, `w` or anything, holding mutated records, raw bytes or nothing. */
const hostileFields = fc.array(
  fc.tuple(
    fc.oneof(fc.constantFrom('q', 'q', 'q', 'w'), fc.string({ maxLength: 3 })),
    fc.oneof(
      { weight: 3, arbitrary: fc.array(mutatedRecord, { minLength: 1, maxLength: 3 }).map((rs) => Buffer.concat(rs)) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) },
      { weight: 1, arbitrary: junk.map((s) => Buffer.from(s)) },
    ),
  ),
  { minLength: 1, maxLength: 4 },
)

/** Request ids answered in the probe stream so far. */
async function answered(): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for (const [, fields] of await kit.redis.xrangeBuffer(probe, '-', '+')) {
    eachReply(fields, (id, status) => {
      out.set(id, status)
    })
  }
  return out
}

describe('random and mutated records in an inbox never crash, stall or disturb a provider', () => {
  it('each hostile entry is settled; the good record beside it and a good call after it are answered', async () => {
    const server = new TransportServer(kit.redis, { namespace, service: 'svc', providerId: 'p1' })
    server.handle('echo', (p) => p)
    await server.start()
    await kit.redis.xadd(probe, '*', 'x', '1')
    const client = new TransportClient(kit.redis, { namespace, timeoutMs: 2_000 })
    let run = 0
    try {
      await fc.assert(
        fc.asyncProperty(hostileFields, fc.boolean(), async (fields, goodFirst) => {
          const id = `good-${++run}`
          // The good record travels in its own field of the same entry, before or after the hostile ones.
          const good: [string, Buffer] = ['q', Buffer.from(requestRecord({ id, replyTo: probe, params: '"ok"' }))]
          const all = goodFirst ? [good, ...fields] : [...fields, good]
          await kit.redis.xadd(server.inboxKey, '*', ...all.flat())
          expect(await client.request({ service: 'svc', providerId: 'p1', method: 'echo', params: run })).toBe(run)
          const replies = await waitFor(
            async () => {
              const a = await answered()
              return a.has(id) ? a : undefined
            },
            { timeoutMs: 2_000, intervalMs: 5, what: `the reply to ${id}` },
          )
          expect(replies.get(id)).toBe('0')
        }),
        // A failure prints its seed; FUZZ_SEED replays it.
        { numRuns: 80, ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}) },
      )
      // Every entry, hostile or not, ends settled: acknowledged and deleted, none left pending.
      await waitFor(async () => (await kit.redis.xlen(server.inboxKey)) === 0, { what: 'the inbox to drain' })
      expect((await kit.redis.xpending(server.inboxKey, 'providers'))[0]).toBe(0)
      expect(await kit.redis.xlen(`${namespace}:dead:{svc/p1}`)).toBeGreaterThan(0)
    } finally {
      await client.close()
      await server.stop()
    }
  })
})
