import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createBalancer, type Endpoint, InvalidEndpointError, listPolicies, seededRandom } from '../src/index.js'
import { makeEndpoints } from './helpers.js'

const builtins = ['RoundRobin', 'Random', 'LeastActive', 'P2C', 'ConsistentHash', 'ShortestResponse'] as const

function make(policy: string) {
  return createBalancer(policy, policy === 'RoundRobin' ? {} : { random: seededRandom(7) })
}

/** Picks with and without a key, and reports each outcome, so every policy's state moves along. */
function drive(policy: string, endpoints: readonly Endpoint[], exclude: ReadonlySet<string>, picks: number) {
  const lb = make(policy)
  const chosen: (Endpoint | undefined)[] = []
  for (let i = 0; i < picks; i++) {
    const pick = lb.pick(endpoints, { exclude, key: i % 2 === 0 ? `k${i}` : undefined })
    chosen.push(pick)
    if (pick) {
      lb.onStart(pick)
      if (i % 3 !== 0) lb.onEnd(pick, { latencyMs: i % 7, ok: i % 5 !== 0 })
    }
  }
  return chosen
}

const scenario = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 12 }).chain((weights) =>
  fc.record({
    weights: fc.constant(weights),
    excluded: fc.subarray(weights.map((_, i) => `e${i}`)),
  }),
)

describe('every policy returns an eligible endpoint of the list, or undefined when there is none', () => {
  for (const policy of builtins) {
    it(`${policy}: never an excluded, weight-0 or foreign endpoint; undefined only when none is eligible (property)`, () => {
      fc.assert(
        fc.property(scenario, ({ weights, excluded }) => {
          const endpoints = makeEndpoints(weights.length, weights)
          const exclude = new Set(excluded)
          const eligible = endpoints.filter((e) => e.weight! > 0 && !exclude.has(e.id))
          for (const pick of drive(policy, endpoints, exclude, 30)) {
            if (eligible.length === 0) expect(pick).toBeUndefined()
            else expect(eligible).toContain(pick)
          }
        }),
        { numRuns: 60 },
      )
    })
  }
})

describe('every policy handles the degenerate lists', () => {
  for (const policy of builtins) {
    it(`${policy}: an empty list gives undefined`, () => {
      expect(make(policy).pick([])).toBeUndefined()
      expect(make(policy).pick([], { key: 'k' })).toBeUndefined()
    })

    it(`${policy}: a list where every weight is 0 gives undefined`, () => {
      expect(make(policy).pick(makeEndpoints(3, [0, 0, 0]), { key: 'k' })).toBeUndefined()
    })

    it(`${policy}: when every endpoint of weight > 0 is excluded, the weight-0 ones are not a fallback`, () => {
      const endpoints = makeEndpoints(4, [0, 5, 0, 5])
      const lb = make(policy)
      const exclude = new Set(['e1', 'e3'])
      for (let i = 0; i < 5; i++) expect(lb.pick(endpoints, { key: `k${i}`, exclude })).toBeUndefined()
    })

    it(`${policy}: a single endpoint is always the pick`, () => {
      const endpoints = makeEndpoints(1)
      const lb = make(policy)
      for (let i = 0; i < 5; i++) expect(lb.pick(endpoints, { key: `k${i}` })).toBe(endpoints[0])
    })

    it(`${policy}: a retry that excludes the first pick gets another endpoint`, () => {
      const endpoints = makeEndpoints(4)
      const lb = make(policy)
      const first = lb.pick(endpoints, { key: 'user-1' })!
      const retry = lb.pick(endpoints, { key: 'user-1', exclude: new Set([first.id]) })
      expect(retry).toBeDefined()
      expect(retry!.id).not.toBe(first.id)
    })
  }
})

describe('every policy rejects bad endpoint lists with a clear error', () => {
  const bad: [string, unknown, ErrorConstructor | typeof InvalidEndpointError, RegExp][] = [
    ['a negative weight', [{ id: 'a' }, { id: 'b', weight: -1 }], InvalidEndpointError, /endpoints\[1\].*weight.*-1/],
    ['a NaN weight', [{ id: 'a', weight: Number.NaN }], InvalidEndpointError, /endpoints\[0\].*weight.*NaN/],
    ['an infinite weight', [{ id: 'a', weight: Number.POSITIVE_INFINITY }], InvalidEndpointError, /Infinity/],
    ['a string weight', [{ id: 'a', weight: '5' }], TypeError, /endpoints\[0\]\.weight must be a number/],
    [
      'duplicate ids',
      [{ id: 'a' }, { id: 'b' }, { id: 'a' }],
      InvalidEndpointError,
      /endpoints\[2\].*duplicate id 'a'/,
    ],
    ['an empty id', [{ id: '' }], InvalidEndpointError, /endpoints\[0\].*id must not be empty/],
    ['a missing id', [{ weight: 1 }], TypeError, /endpoints\[0\]\.id must be a string/],
    ['a null endpoint', [null], TypeError, /endpoints\[0\] must be an object/],
    ['not an array', { length: 1, 0: { id: 'a' } }, TypeError, /endpoints must be an array/],
  ]
  for (const policy of builtins) {
    for (const [what, endpoints, type, message] of bad) {
      it(`${policy}: ${what}`, () => {
        const lb = make(policy)
        const attempt = () => lb.pick(endpoints as Endpoint[], { key: 'k' })
        expect(attempt).toThrow(type)
        expect(attempt).toThrow(message)
      })
    }

    it(`${policy}: an exclude that is not a Set is a TypeError, not silently ignored`, () => {
      const exclude = ['e0'] as unknown as ReadonlySet<string>
      expect(() => make(policy).pick(makeEndpoints(2), { exclude })).toThrow(/ctx\.exclude must be a Set/)
    })

    it(`${policy}: after a rejected list, the balancer still serves a good one`, () => {
      const lb = make(policy)
      const good = makeEndpoints(2)
      expect(lb.pick(good)).toBeDefined()
      expect(() => lb.pick([{ id: 'x', weight: -5 }])).toThrow(InvalidEndpointError)
      expect(good).toContain(lb.pick(good, { key: 'k' }))
    })

    it(`${policy}: onStart and onEnd reject a missing endpoint`, () => {
      const lb = make(policy)
      expect(() => lb.onStart(undefined as unknown as Endpoint)).toThrow(/onStart: endpoint must be an object/)
      expect(() => lb.onEnd({} as Endpoint, { latencyMs: 1, ok: true })).toThrow(TypeError)
    })

    it(`${policy}: onEnd rejects a negative or non-finite latency`, () => {
      const lb = make(policy)
      const [endpoint] = makeEndpoints(1)
      lb.onStart(endpoint!)
      expect(() => lb.onEnd(endpoint!, { latencyMs: -1, ok: true })).toThrow(/outcome\.latencyMs/)
      expect(() => lb.onEnd(endpoint!, { latencyMs: Number.NaN, ok: true })).toThrow(RangeError)
    })
  }

  it('covers every built-in policy', () => {
    expect(listPolicies()).toEqual(expect.arrayContaining([...builtins]))
  })
})
