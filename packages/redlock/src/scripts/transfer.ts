import { defineOperation } from './Operation.js'

/**
 * transfer: hands a held lock to its next holder in the same process without letting it go.
 *
 * KEYS: n lock keys, then their n fencing counters. ARGV: old value, new value, ttl (ms), ceiling (decimal).
 * Reply: 1 when handed over, 0 when not.
 *
 * Guarantee: only when every key still holds the old value (with the waiter mark or not) are they all set to the
 * new value with the new ttl, keeping a waiter mark, and the counters raised to at least the ceiling. Otherwise the
 * keys still holding the old value are deleted and announced: the instance then holds nothing of either holder, as
 * after a release.
 */
export const TRANSFER = defineOperation(
  'transfer',
  't',
  `
  local n = #keys / 2
  local marked = argv[1] .. '+'
  local olds = {}
  for i = 1, n do
    olds[i] = redis.call('GET', keys[i])
    if olds[i] ~= argv[1] and olds[i] ~= marked then
      for j = 1, n do
        local v = redis.call('GET', keys[j])
        if v == argv[1] or v == marked then
          redis.call('DEL', keys[j])
          redis.call('PUBLISH', keys[j], '')
        end
      end
      return 0
    end
  end
  for i = 1, n do
    if olds[i] == marked then
      redis.call('SET', keys[i], argv[2] .. '+', 'PX', argv[3])
    else
      redis.call('SET', keys[i], argv[2], 'PX', argv[3])
    end
  end
  local t = tonumber(argv[4])
  for i = n + 1, 2 * n do
    local c = redis.call('GET', keys[i])
    if not c or tonumber(c) < t then redis.call('SET', keys[i], argv[4]) end
  end
  return 1
`,
)
