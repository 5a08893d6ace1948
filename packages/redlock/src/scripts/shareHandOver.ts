import { HAND_OVER_TTL } from '../options.js'

/**
 * The semaphore's direct grant, in Lua (defined after `SHARE_INCLUDES`, see `shareQueue.ts`): a seat freed on an
 * instance goes straight to the first waiters there, without an attempt of theirs.
 *
 * A waiter that may queue for a permit registers a *grant value* with each attempt and renewal (field `>id` of `qn`:
 * `<grant> <inbox>`, as the plain lock's, see `queue.ts`): a fresh value `<waiter id>/<n>` per attempt, never the value
 * of an attempt. `handSeats` gives each of the first waiters a free seat would admit (`admissible`'s count: the
 * holders plus the waiters before it fewer than `permits`) a seat under that value, for the hand-over ttl, takes it
 * out of the queue, raises the fencing counter by one and publishes `>id token grant seat` on its inbox (on the
 * semaphore's channel without one); a waiter without a registration is only named (`>id`), as before. The seat a
 * release freed goes to the first of them: the releaser held it on a quorum, so the instances of that quorum hand the
 * same seat, which the waiter needs from a quorum (see `family/seatTally.ts`).
 *
 * Why a grant value of its own: nothing of the waiter touches a seat held by the value it registered last but that
 * value's expiry and the waiter's own later requests: the undo of an attempt drops the attempt's value only, so an
 * undo racing a hand-over cannot take a seat the waiter counted. `handedHere` finds such a seat: the waiter's next
 * attempt takes it over (the seat passes to the attempt's value: the waiter held it already), renewals and undos do
 * not queue it again (a queued holder would count twice), and its release or leave gives it back.
 */
export const SEAT_HAND_OVER = `local SEAT_HAND_OVER_TTL = ${HAND_OVER_TTL}
local function grantOf(registration)
  if not registration then return nil end
  local space = string.find(registration, ' ', 1, true)
  if space then return string.sub(registration, 1, space - 1) end
  return registration
end
local function handedHere(h, qn, w)
  local grant = grantOf(redis.call('HGET', qn, '>' .. w))
  if grant and redis.call('ZSCORE', h, grant) then return grant end
  return nil
end
local function handSeats(channel, permits, h, x, q, ql, qn, qw, hs, fence, except, seat)
  if permits == 0 then return announce(channel, permits, h, x, q, qw, except) end
  if redis.call('EXISTS', q) == 0 then return end
  local free = permits - redis.call('ZCARD', h)
  if free <= 0 then return end
  local ids = redis.call('ZRANGE', q, 0, free - 1)
  local now = nil
  for j = 1, #ids do
    local w = ids[j]
    local registration = redis.call('HGET', qn, '>' .. w)
    if w == except then
      seat = -1
    elseif registration then
      local grant, inbox = grantOf(registration), inboxOf(registration)
      now = now or nowMs()
      local s = takeSeat(h, hs, seat, permits)
      if s >= permits then return end
      s = tostring(s)
      seat = -1
      redis.call('ZADD', h, now + SEAT_HAND_OVER_TTL, grant)
      keepFor(h, SEAT_HAND_OVER_TTL)
      redis.call('HSET', hs, s, grant, grant, s)
      keepFor(hs, SEAT_HAND_OVER_TTL)
      redis.call('ZREM', q, w)
      redis.call('ZREM', ql, w)
      redis.call('ZREM', qw, w)
      local c = redis.call('INCRBY', fence, 1)
      redis.call('PUBLISH', inbox or channel, '>' .. w .. ' ' .. c .. ' ' .. grant .. ' ' .. s)
    else
      redis.call('PUBLISH', channel, '>' .. w)
    end
  end
end
`
