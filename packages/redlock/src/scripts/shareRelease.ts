import { defineShareScript } from './shareQueue.js'

/**
 * shareRelease: lets a read, write or permit hold go on one instance.
 *
 * KEYS: the eight keys of a shared hold (see `shareQueue.ts`). ARGV: value, channel, permits (0: a read-write lock),
 * waiter id (optional). Reply: 1 when this value was still held here (not expired), else 0.
 *
 * Guarantee: removes only this value's hold, never another holder's, and its waiter's place here: out of the queue (a
 * permit won by a quorum of hand-overs is not taken out of the others, see `family/acquireShare.ts`), and a seat handed
 * to its grant value here that is not this hold is given back. The seats freed go to the first waiters by a hand-over
 * (`handSeats`, the released seat to the first of them); a read-write lock's waiters are told by id (`announce`). An
 * uncontended release publishes nothing.
 */
export const SHARE_RELEASE = defineShareScript(
  'shareRelease',
  `
local h, x, q, ql, qn, qw, fence, hs = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local value, w = ARGV[1], ARGV[4]
local now = nowMs()
local changed = false
if w then
  local other = handedHere(h, x, qn, w)
  if other and other ~= value then changed = dropHold(h, x, hs, other) > 0 end
  if redis.call('ZREM', q, w) == 1 then
    redis.call('ZREM', qw, w)
    changed = true
  end
  redis.call('ZREM', ql, w)
  redis.call('HDEL', qn, '>' .. w)
end
local score = redis.call('ZSCORE', h, value) or redis.call('ZSCORE', x, value)
local seat = tonumber(redis.call('HGET', hs, value) or '-1')
if score then dropHold(h, x, hs, value) end
if score or changed then
  pruneHolders(h, x, now, hs)
  pruneWaiters(q, ql, qw, now, qn)
  handSeats(ARGV[2], tonumber(ARGV[3]), h, x, q, qn, qw, hs, fence, nil, seat)
end
if score and tonumber(score) > now then return 1 end
return 0
`,
)
