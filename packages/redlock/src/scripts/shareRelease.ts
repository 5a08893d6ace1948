import { defineShareScript } from './shareQueue.js'

/**
 * shareRelease: lets a read, write or permit hold go on one instance.
 *
 * KEYS: the eight keys of a shared hold (see `shareQueue.ts`). ARGV: value, channel, permits (0: a read-write lock).
 * Reply: 1 when this value was still held here (not expired), else 0.
 *
 * Guarantee: removes only this value's hold, never another holder's. The waiters it lets in are told by id
 * (`announce`); an uncontended release publishes nothing.
 */
export const SHARE_RELEASE = defineShareScript(
  'shareRelease',
  `
local h, x, q, ql, qw, hs = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[6], KEYS[8]
local now = nowMs()
local score = redis.call('ZSCORE', h, ARGV[1]) or redis.call('ZSCORE', x, ARGV[1])
if not score then return 0 end
dropHold(h, x, hs, ARGV[1])
pruneHolders(h, x, now, hs)
pruneWaiters(q, ql, qw, now)
announce(ARGV[2], tonumber(ARGV[3]), h, x, q, qw)
if tonumber(score) > now then return 1 end
return 0
`,
)
