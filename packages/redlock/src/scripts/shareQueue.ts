import { defineScript, type Script } from '@org/redis-core'
import { QUEUE_INCLUDES } from './queue.js'
import { SEAT_HAND_OVER } from './shareHandOver.js'

/**
 * The Lua pieces the shared holds (read-write locks and semaphores, see `../family/`) have in common, defined at the
 * top of each of their scripts after the lock queue's own pieces (`queue.ts`: `nowMs`, `PROVISIONAL`).
 *
 * Every script of a shared hold takes the same eight keys, all in the name's Cluster slot (see `family/keys.ts`):
 * KEYS[1] `h`, the shared holders (readers, or a semaphore's permits): a sorted set of hold values scored by the Redis
 * time (ms) their hold ends; KEYS[2] `x`, the exclusive holder (a writer), the same way; KEYS[3] `q`, the waiters
 * scored by ticket; KEYS[4] `ql`, their leases (Redis time they end); KEYS[5] `qn`, a hash whose field `#` is the
 * ticket counter, and field `>id` a permit waiter's registration (see `shareHandOver.ts`); KEYS[6] `qw`, the waiting
 * writers, scored as in `q`; KEYS[7], the fencing counter; KEYS[8] `hs`, a semaphore's seats: a hash from seat number
 * to the value holding it, and from that value back to its seat.
 *
 * Why seats: a count of holders per instance is not enough on a quorum. With 3 instances and 3 permits, four holders
 * can each hold 2 instances while no instance has more than 3 (A and B on #1 and #2, C on #1 and #3, D on #2 and #3).
 * So a permit is a seat, 0 to permits - 1, and a permit counts only when a quorum gave it the same seat: each seat is
 * then a mutex of its own (two quorums share an instance, and an instance gives a seat to one value at a time), and
 * there are `permits` seats.
 *
 * `announce` tells the waiters a change let in, by id (`>id` on the channel), so exactly they are woken, in whichever
 * process they wait, and no other waiter makes an attempt that could only fail: the first free permits' worth of
 * waiters of a semaphore (`permits` > 0); for a read-write lock (`permits` = 0), the waiting writer first in line when
 * nobody holds, else the readers before the first waiting writer (`rwLetsIn`). `except` is left out: a waiter undoing its own
 * failed attempt is not woken by it (it would retry at once, and again, while the instances disagree).
 *
 * Why holders are scored by expiry: a holder that dies frees its share by itself when its time passes on the
 * instance's own clock (`TIME`), with no process having to clean up after it, and the next script that looks prunes it.
 */
export const SHARE_INCLUDES = `
local function leaveSeat(hs, value)
  local seat = redis.call('HGET', hs, value)
  if not seat then return end
  redis.call('HDEL', hs, value)
  if redis.call('HGET', hs, seat) == value then redis.call('HDEL', hs, seat) end
end
local function pruneHolders(h, x, now, hs)
  if hs then
    local gone = redis.call('ZRANGEBYSCORE', h, '-inf', now)
    for j = 1, #gone do leaveSeat(hs, gone[j]) end
  end
  redis.call('ZREMRANGEBYSCORE', h, '-inf', now)
  redis.call('ZREMRANGEBYSCORE', x, '-inf', now)
end
local function seatFree(h, hs, seat)
  local v = redis.call('HGET', hs, tostring(seat))
  return not v or not redis.call('ZSCORE', h, v)
end
local function takeSeat(h, hs, wanted, permits)
  if wanted >= 0 and wanted < permits and seatFree(h, hs, wanted) then return wanted end
  local seat = 0
  while seat < permits and not seatFree(h, hs, seat) do seat = seat + 1 end
  return seat
end
local function pruneWaiters(q, ql, qw, now, qn)
  local gone = dropLapsed(q, ql, now)
  for j = 1, #gone do
    redis.call('ZREM', qw, gone[j])
    redis.call('HDEL', qn, '>' .. gone[j])
  end
end
local function admissible(mode, permits, h, x, q, qw, w)
  if redis.call('EXISTS', x) == 1 then return false end
  local rank = redis.call('ZRANK', q, w)
  if mode == 'w' then
    if redis.call('EXISTS', h) == 1 then return false end
    if rank then return rank == 0 end
    return redis.call('EXISTS', q) == 0
  elseif mode == 'r' then
    local first = redis.call('ZRANGE', qw, 0, 0)[1]
    if not first then return true end
    if not rank then return false end
    return rank < redis.call('ZRANK', q, first)
  end
  local ahead = rank or redis.call('ZCARD', q)
  return redis.call('ZCARD', h) + ahead < permits
end
local function dropHold(h, x, hs, value)
  local removed = redis.call('ZREM', h, value) + redis.call('ZREM', x, value)
  leaveSeat(hs, value)
  return removed
end
local function rwLetsIn(h, q, qw)
  local first = redis.call('ZRANGE', qw, 0, 0)[1]
  if not first then return redis.call('ZRANGE', q, 0, -1), false end
  local at = redis.call('ZRANK', q, first)
  if at > 0 then return redis.call('ZRANGE', q, 0, at - 1), false end
  if redis.call('EXISTS', h) == 1 then return nil, false end
  return { first }, true
end
local function announce(channel, permits, h, x, q, qw, except)
  if redis.call('EXISTS', q) == 0 or redis.call('EXISTS', x) == 1 then return end
  local ids
  if permits > 0 then
    local free = permits - redis.call('ZCARD', h)
    if free <= 0 then return end
    ids = redis.call('ZRANGE', q, 0, free - 1)
  else
    ids = rwLetsIn(h, q, qw)
    if not ids then return end
  end
  for j = 1, #ids do
    if ids[j] ~= except then redis.call('PUBLISH', channel, '>' .. ids[j]) end
  end
end
local function keepFor(key, ms)
  if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
end
local function queueFor(q, ql, qn, qw, lease)
  redis.call('PEXPIRE', q, 2 * lease)
  redis.call('PEXPIRE', ql, 2 * lease)
  redis.call('PEXPIRE', qn, 2 * lease)
  if redis.call('EXISTS', qw) == 1 then redis.call('PEXPIRE', qw, 2 * lease) end
end
`

/** Defines a script of the shared holds: the queue's and the shared holds' Lua pieces, then `body`. */
export function defineShareScript(name: string, body: string): Script {
  return defineScript({ name, source: `${QUEUE_INCLUDES}${SHARE_INCLUDES}${SEAT_HAND_OVER}${body}` })
}
