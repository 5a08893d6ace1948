import { defineOperation } from './Operation.js'

/**
 * acquire: sets every lock key of one lock, or none, and raises the fencing counters.
 *
 * KEYS: n lock keys, then their n fencing counters (resources of one slot share a counter: a key may be listed
 * twice, which changes nothing below).
 * ARGV: value, ttl (ms), reserve (tokens to record; left out when 1, one argument less on the common path).
 * Reply: 0 when a lock key exists (nothing set); else c, the common value the counters now hold.
 *
 * Guarantee: all-or-nothing on this instance. A held key gets the waiter mark `+` appended (once; its ttl stays),
 * which tells its holder's release to announce itself. Otherwise every lock key is set to value with the ttl, and
 * the counters become c = (highest counter) + reserve, so the tokens c - reserve + 1 .. c are above every counter
 * this instance had. Counters are only ever raised. The caller takes the tokens when a quorum returned the same c (a
 * quorum of a past lock overlaps it, so they exceed every token issued before), else it raises a quorum to the
 * highest c first (`raise`). The common single-resource path is two cheap calls, SET NX and INCRBY.
 */
export const ACQUIRE = defineOperation(
  'acquire',
  'a',
  `
  local n = #keys / 2
  local reserve = argv[3] or '1'
  if n == 1 then
    if redis.call('SET', keys[1], argv[1], 'NX', 'PX', argv[2]) then return redis.call('INCRBY', keys[2], reserve) end
    local held = redis.call('GET', keys[1])
    if string.byte(held, -1) ~= 43 then redis.call('APPEND', keys[1], '+') end
    return 0
  end
  for i = 1, n do
    local held = redis.call('GET', keys[i])
    if held then
      if string.byte(held, -1) ~= 43 then redis.call('APPEND', keys[i], '+') end
      return 0
    end
  end
  for i = 1, n do redis.call('SET', keys[i], argv[1], 'PX', argv[2]) end
  local top = 0
  for i = n + 1, 2 * n do
    local c = tonumber(redis.call('GET', keys[i]) or '0')
    if c > top then top = c end
  end
  local common = string.format('%d', top + tonumber(reserve))
  for i = n + 1, 2 * n do redis.call('SET', keys[i], common) end
  return tonumber(common)
`,
)
