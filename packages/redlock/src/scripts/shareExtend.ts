import { defineShareScript } from './shareQueue.js'

/**
 * shareExtend: gives a live read, write or permit hold a new ttl on one instance.
 *
 * KEYS: the seven keys of a shared hold (see `shareQueue.ts`). ARGV: value, ttl (ms). Reply: 1 when extended, else 0.
 *
 * Guarantee: only a hold of this value that has not expired by this instance's clock is extended (to `ttl` from now);
 * an expired one is never revived, since its share may already have gone to somebody else.
 */
export const SHARE_EXTEND = defineShareScript(
  'shareExtend',
  `
local now = nowMs()
local ttl = tonumber(ARGV[2])
for i = 1, 2 do
  local score = redis.call('ZSCORE', KEYS[i], ARGV[1])
  if score then
    if tonumber(score) <= now then return 0 end
    redis.call('ZADD', KEYS[i], 'XX', now + ttl, ARGV[1])
    keepFor(KEYS[i], ttl)
    return 1
  end
end
return 0
`,
)
