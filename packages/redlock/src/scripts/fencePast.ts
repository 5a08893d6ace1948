import { defineShareScript } from './shareQueue.js'

/**
 * fencePast: raises a fencing counter to a value, for a shared hold whose instances returned different counters.
 *
 * KEYS: the eight keys of a shared hold (see `shareQueue.ts`; only the fencing counter, KEYS[7], is touched).
 * ARGV: wanted (decimal). Reply: `wanted` when the counter was below it and is now set to it; else minus the counter,
 * which is left as it is.
 *
 * Guarantee: the counter is raised, never lowered, and an instance says `wanted` at most once, and never for a value
 * an increment returned there (below `wanted`, the counter was; above it, it goes). So a value a quorum of instances
 * said was said to nobody else (two quorums share an instance), which keeps the tokens of concurrent readers or
 * permits distinct; and it is above every counter value recorded on that quorum before.
 *
 * Why a value the caller picks, not "one past the highest": several holds raise the same counters at once under
 * contention, and "one past" on each instance then lands on different values (L5's probe: 64% of such rounds failed,
 * after three tries each); a value picked some way above the highest seen is taken by every instance not raised past
 * it meanwhile.
 */
export const FENCE_PAST = defineShareScript(
  'fencePast',
  `
local c = tonumber(redis.call('GET', KEYS[7]) or '0')
local wanted = tonumber(ARGV[1])
if c >= wanted then return -c end
redis.call('SET', KEYS[7], ARGV[1])
return wanted
`,
)
