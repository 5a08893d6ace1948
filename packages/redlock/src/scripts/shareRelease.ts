import { defineShareScript } from './shareQueue.js'

/**
 * shareRelease: lets a read, write or permit hold go on one instance.
 *
 * KEYS: the seven keys of a shared hold (see `shareQueue.ts`). ARGV: value, channel. Reply: 1 when this value was
 * still held here (not expired), else 0.
 *
 * Guarantee: removes only this value's hold, never another holder's. When live waiters are queued here, an empty
 * message on the channel announces the release (waiters of every process retry once a quorum announced it); an
 * uncontended release publishes nothing.
 */
export const SHARE_RELEASE = defineShareScript(
  'shareRelease',
  `
local h, x, q, ql, qw = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[6]
local now = nowMs()
local score = redis.call('ZSCORE', h, ARGV[1]) or redis.call('ZSCORE', x, ARGV[1])
if not score then return 0 end
redis.call('ZREM', h, ARGV[1])
redis.call('ZREM', x, ARGV[1])
pruneWaiters(q, ql, qw, now)
if redis.call('EXISTS', q) == 1 then redis.call('PUBLISH', ARGV[2], '') end
if tonumber(score) > now then return 1 end
return 0
`,
)
