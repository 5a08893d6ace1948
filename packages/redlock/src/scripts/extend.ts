import { defineOperation } from './Operation.js'

/**
 * extend: gives a held lock a new ttl.
 *
 * KEYS: lock keys. ARGV: value, ttl (ms). Reply: 1 when extended, 0 when not.
 *
 * Guarantee: all-or-nothing. Only when every key still holds this value (with the waiter mark or not) are they all
 * given the new ttl; otherwise nothing changes, so an extension never revives a lost resource.
 */
export const EXTEND = defineOperation(
  'extend',
  'e',
  `
  local marked = argv[1] .. '+'
  for i = 1, #keys do
    local v = redis.call('GET', keys[i])
    if v ~= argv[1] and v ~= marked then return 0 end
  end
  for i = 1, #keys do
    redis.call('PEXPIRE', keys[i], argv[2])
  end
  return 1
`,
)
