import { describe, expect, it } from 'vitest'
import {
  createBalancer,
  type Endpoint,
  type LoadBalancer,
  listPolicies,
  registerPolicy,
  UnknownPolicyError,
} from '../src/index.js'

describe('policies are created by name, whatever the case or separators', () => {
  it.each([
    ['RoundRobin', 'RoundRobin'],
    ['roundrobin', 'RoundRobin'],
    ['round_robin', 'RoundRobin'],
    ['Round-Robin', 'RoundRobin'],
    ['ROUNDROBIN', 'RoundRobin'],
    ['random', 'Random'],
    ['least_active', 'LeastActive'],
    ['p2c', 'P2C'],
    ['consistent_hash', 'ConsistentHash'],
    ['shortest-response', 'ShortestResponse'],
  ])('%s creates %s', (name, policy) => {
    expect(createBalancer(name).policy).toBe(policy)
  })

  it('lists the built-in policies in their canonical spelling, first', () => {
    expect(listPolicies().slice(0, 6)).toEqual([
      'RoundRobin',
      'Random',
      'LeastActive',
      'P2C',
      'ConsistentHash',
      'ShortestResponse',
    ])
  })

  it('each balancer has its own state', () => {
    const endpoints: Endpoint[] = [{ id: 'a' }, { id: 'b' }]
    const one = createBalancer('RoundRobin')
    const other = createBalancer('RoundRobin')
    expect(one.pick(endpoints)?.id).toBe('a')
    expect(other.pick(endpoints)?.id).toBe('a')
  })
})

describe('an unknown policy name is a clear error that lists the known ones', () => {
  it('throws UnknownPolicyError naming the policy and every registered one', () => {
    let error: unknown
    try {
      createBalancer('LeastLoaded')
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(UnknownPolicyError)
    const unknown = error as UnknownPolicyError
    expect(unknown.name).toBe('UnknownPolicyError')
    expect(unknown.policy).toBe('LeastLoaded')
    expect(unknown.known).toEqual(listPolicies())
    expect(unknown.message).toContain("'LeastLoaded'")
    expect(unknown.message).toContain('RoundRobin, Random, LeastActive, P2C, ConsistentHash, ShortestResponse')
  })

  it('a name that is not a string, or empty, is a TypeError / RangeError', () => {
    expect(() => createBalancer(42 as unknown as string)).toThrow(TypeError)
    expect(() => createBalancer('')).toThrow(RangeError)
  })
})

describe('bad options are rejected when the balancer is created', () => {
  it('an unknown option names itself and the known ones', () => {
    expect(() => createBalancer('P2C', { decay: 5 } as object)).toThrow(
      "unknown option 'decay' for policy P2C; known options: random, now, decayMs, failurePenalty",
    )
    expect(() => createBalancer('RoundRobin', { random: Math.random } as never)).toThrow(/known options: none/)
  })

  it('a wrong type or an out-of-range value names the option', () => {
    expect(() => createBalancer('Random', { random: 0.5 as unknown as () => number })).toThrow(
      /options\.random of Random must be a function/,
    )
    expect(() => createBalancer('P2C', { decayMs: 0 })).toThrow(RangeError)
    expect(() => createBalancer('P2C', { failurePenalty: 0.5 })).toThrow(/options\.failurePenalty of P2C.*>= 1/)
    expect(() => createBalancer('ShortestResponse', { windowMs: Number.NaN })).toThrow(/options\.windowMs/)
    expect(() => createBalancer('LeastActive', 'fast' as unknown as object)).toThrow(TypeError)
  })
})

describe('users register their own policies', () => {
  class FirstEligible implements LoadBalancer {
    readonly policy = 'FirstEligible'
    started = 0
    constructor(readonly options: { label?: string }) {}
    pick(endpoints: readonly Endpoint[], ctx?: { exclude?: ReadonlySet<string> }): Endpoint | undefined {
      return endpoints.find((e) => e.weight !== 0 && !ctx?.exclude?.has(e.id))
    }
    onStart(): void {
      this.started++
    }
    onEnd(): void {}
  }

  it('createBalancer finds a registered policy by any spelling and passes the options through', () => {
    registerPolicy<{ label?: string }>('First_Eligible', (options) => new FirstEligible(options))
    expect(listPolicies()).toContain('First_Eligible')
    const lb = createBalancer('firsteligible', { label: 'x' }) as FirstEligible
    expect(lb.options).toEqual({ label: 'x' })
    expect(lb.pick([{ id: 'a', weight: 0 }, { id: 'b' }])?.id).toBe('b')
    expect((createBalancer('FIRST-ELIGIBLE') as FirstEligible).options).toEqual({})
  })

  it('a taken name, in any spelling, cannot be registered again', () => {
    expect(() => registerPolicy('round_robin', () => new FirstEligible({}))).toThrow(/already registered.*RoundRobin/)
  })

  it('a factory that is not a function is a TypeError', () => {
    expect(() => registerPolicy('Broken', 'nope' as never)).toThrow(TypeError)
    expect(listPolicies()).not.toContain('Broken')
  })
})
