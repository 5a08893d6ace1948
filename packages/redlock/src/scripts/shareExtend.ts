import { defineShareScript } from './shareQueue.js'

/**
 * shareExtend: gives a live read, write or permit hold a new ttl on one instance.
 *
 * KEYS: the eight keys of a shared hold (see `shareQueue.ts`). ARGV: value, ttl (ms), seat (-1: not a permit).
 * Reply: 1 when extended, else 0.
 *
 * Guarantee: only a hold of this value that has not expired by this instance's clock, and for a permit holds the
 * same seat here, is extended (to `ttl` from now); an expired one is never revived, since its share may already have
 * gone to somebody else.
 */
export const SHARE_EXTEND = defineShareScript(
  'shareExtend',
  `
local now = nowMs()
local ttl = tonumber(ARGV[2])
if ARGV[3] ~= '-1' and redis.call('HGET', KEYS[8], ARGV[1]) ~= ARGV[3] then return 0 end
for i = 1, 2 do
  local score = redis.call('ZSCORE', KEYS[i], ARGV[1])
  if score then
    if tonumber(score) <= now then return 0 end
    redis.call('ZADD', KEYS[i], 'XX', now + ttl, ARGV[1])
    keepFor(KEYS[i], ttl)
    if ARGV[3] ~= '-1' then keepFor(KEYS[8], ttl) end
    return 1
  end
end
return 0
`,
)
