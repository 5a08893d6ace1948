import { defineShareScript } from './shareQueue.js'

/**
 * fencePast: moves a fencing counter past a value, for a shared hold whose instances returned different counters.
 *
 * KEYS: the eight keys of a shared hold (see `shareQueue.ts`; only the fencing counter, KEYS[7], is touched).
 * ARGV: top (decimal). Reply: the counter after the move.
 *
 * Guarantee: the counter becomes max(counter, top) + 1: raised, never lowered, and every call on this instance
 * returns a value of its own. So a value a quorum of instances returned was returned to nobody else (two quorums
 * share an instance), which keeps the tokens of concurrent readers or permits distinct.
 */
export const FENCE_PAST = defineShareScript(
  'fencePast',
  `
local c = tonumber(redis.call('GET', KEYS[7]) or '0')
local top = tonumber(ARGV[1])
if c < top then c = top end
local moved = string.format('%d', c + 1)
redis.call('SET', KEYS[7], moved)
return tonumber(moved)
`,
)
