import { defineShareScript } from './shareQueue.js'

/**
 * shareAcquire: takes a read, write or permit hold on one instance, or queues the waiter.
 *
 * KEYS: the eight keys of a shared hold (see `shareQueue.ts`).
 * ARGV: mode (`r` read, `w` write, `p` permit), value, ttl (ms), permits (mode `p`), lease (ms; 0 = do not queue),
 * ticket (0: none yet), waiter id, seat wanted (mode `p`; -1: any), registration (optional: `<grant> <seat> <inbox>`,
 * the seat -1 for a read or write hold, see `shareHandOver.ts`).
 * Reply: when granted, `{ counter, seat }`: the fencing counter after its increment, and the seat taken (-1 unless
 * mode `p`); else `{ counter }`, this instance's ticket counter for the waiter (0 when it was not queued).
 *
 * Guarantee: expired holders and waiters are pruned first, by this instance's clock. A waiter that holds here by a
 * hand-over (`handedHere`: a permit's seat, a read or a write hold) takes it over: the hold (and seat) passes to this
 * attempt's value, with its ttl and a new fencing counter value (the waiter held it already; its grant value no longer
 * counts once this attempt is sent).
 * Otherwise granted only when the mode
 * admits it (`admissible`): a writer when nobody holds and nobody waits before it; a reader when no writer holds and
 * no writer waits before it (a waiting writer stops new readers); a permit when the holders plus the waiters before
 * it are fewer than `permits`, on the seat wanted when it is free, else the lowest free one (see `shareQueue.ts`). A
 * granted hold is added with an expiry `ttl` from now, the waiter leaves the queue here, and the counter is raised by
 * one, so every grant on this instance returns a value of its own. Otherwise
 * nothing is held, and with a lease the waiter is queued (a newcomer with a provisional score that sorts after every
 * settled ticket), its ticket settled when given, its lease renewed, its registration (if sent) recorded.
 */
export const SHARE_ACQUIRE = defineShareScript(
  'shareAcquire',
  `
local h, x, q, ql, qn, qw, fence, hs = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local mode, value, ttl, permits = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local lease, ticket, w = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
local now = nowMs()
pruneHolders(h, x, now, hs)
pruneWaiters(q, ql, qw, now, qn)
local handed = handedHere(h, x, qn, w)
if handed then
  local set = h
  if redis.call('ZSCORE', x, handed) then set = x end
  local seat = redis.call('HGET', hs, handed)
  dropHold(h, x, hs, handed)
  redis.call('ZADD', set, now + ttl, value)
  keepFor(set, ttl)
  if seat then
    redis.call('HSET', hs, seat, value, value, seat)
    keepFor(hs, ttl)
  end
  redis.call('ZREM', ql, w)
  redis.call('HDEL', qn, '>' .. w)
  return { redis.call('INCRBY', fence, 1), tonumber(seat or '-1') }
end
if ticket > 0 and redis.call('ZSCORE', q, w) then
  redis.call('ZADD', q, ticket, w)
  if mode == 'w' then redis.call('ZADD', qw, ticket, w) end
end
if admissible(mode, permits, h, x, q, qw, w) then
  local set = h
  if mode == 'w' then set = x end
  redis.call('ZADD', set, now + ttl, value)
  keepFor(set, ttl)
  local seat = -1
  if mode == 'p' then
    seat = takeSeat(h, hs, tonumber(ARGV[8]), permits)
    redis.call('HSET', hs, tostring(seat), value, value, tostring(seat))
    keepFor(hs, ttl)
  end
  if redis.call('ZREM', q, w) == 1 then
    redis.call('ZREM', ql, w)
    redis.call('ZREM', qw, w)
  end
  redis.call('HDEL', qn, '>' .. w)
  return { redis.call('INCRBY', fence, 1), seat }
end
local counter = 0
if lease > 0 then
  counter = joinQueue(q, qn, w, ARGV[6])
  if mode == 'w' then redis.call('ZADD', qw, redis.call('ZSCORE', q, w), w) end
  redis.call('ZADD', ql, now + lease, w)
  if ARGV[9] then redis.call('HSET', qn, '>' .. w, ARGV[9]) end
  queueFor(q, ql, qn, qw, lease)
end
return { counter }
`,
)
