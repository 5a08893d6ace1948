import { SLOTS, keySlot as slotOf } from '@org/redis-core'
import slotOfReference from 'cluster-key-slot'
import { describe, expect, it } from 'vitest'
import { slotTags } from '../src/fenceTags.js'
import { redlockKeys } from '../src/index.js'

describe('Cluster slots of keys', () => {
  it('match the reference implementation, hash tags and non-ASCII names included', () => {
    const keys = [
      'plain',
      'redlock:{Resource_A}',
      'redlock:{}empty-tag',
      '{a}{b}',
      'x{y',
      'x}y{z}',
      'redlock:{ünïcödé-ресурс-锁}',
      'emoji:{🔒}',
      '',
    ]
    for (let i = 0; i < 500; i++) keys.push(`redlock:{order-${i * 7919}}`)
    for (const key of keys) expect(slotOf(key), key).toBe(slotOfReference(key))
  })

  it('every slot has a tag that hashes to it, and the tags never change (they name the fencing counters)', () => {
    const tags = slotTags()
    expect(tags).toHaveLength(SLOTS)
    expect(tags.filter((tag, slot) => slotOfReference(tag) !== slot)).toEqual([])
    // Golden values: a change here would move every fencing counter, so tokens could go backwards after an upgrade.
    expect(tags.slice(0, 4)).toEqual(['1bz', 'emj', '7lw', '6i7'])
    expect(redlockKeys('Resource_A').fence).toBe(`redlock:fence:{${tags[slotOfReference('Resource_A')]}}`)
  })

  it('a fencing counter is the one of its lock key’s slot, whatever the prefix and the braces in the name', () => {
    // The key's slot by the server's rule (checked above): for a key like `p:{}x}` the reference package hashes `x`,
    // while Redis hashes the whole key, as an empty first tag means no tag.
    const tags = slotTags()
    const prefixes = ['redlock:', '', 'app:', 'a{b}:', '{', '}:', 'x{']
    const resources = ['Resource_A', 'a}b', '}lead', 'trail}', '{inner}', 'ü}ß', '🔒', 'a{b}c', '}']
    for (const prefix of prefixes) {
      for (const resource of resources) {
        const keys = redlockKeys(resource, prefix)
        expect(keys.fence, `${prefix} ${resource}`).toBe(`${prefix}fence:{${tags[slotOf(keys.lock)]}}`)
      }
    }
  })
})
