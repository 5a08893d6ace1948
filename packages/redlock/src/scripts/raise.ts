import { defineOperation } from './Operation.js'

/**
 * raise: records a fencing token on this instance before the lock carrying it is handed out.
 *
 * KEYS: fencing counters. ARGV: token (decimal). Reply: 1.
 *
 * Guarantee: every counter becomes at least the token; none is ever lowered. Counters are compared as Lua numbers
 * (exact below 2^53) and written as the caller's string, so a token is never reformatted by Lua.
 */
export const RAISE = defineOperation(
  'raise',
  'r',
  `
  local t = tonumber(argv[1])
  for i = 1, #keys do
    local c = redis.call('GET', keys[i])
    if not c or tonumber(c) < t then redis.call('SET', keys[i], argv[1]) end
  end
  return 1
`,
)
