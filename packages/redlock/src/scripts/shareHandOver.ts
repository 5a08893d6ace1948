import { HAND_OVER_TTL } from '../options.js'

/**
 * The direct grant of the shared holds, in Lua (defined after `SHARE_INCLUDES`, see `shareQueue.ts`): a seat freed on
 * an instance goes straight to a waiter there, without an attempt of its own; so does a read-write lock a change lets
 * waiters into (`handHolds`: the writer first in line when nobody holds, else the readers before the first waiting
 * writer, exactly those `announce` would name (both ask `rwLetsIn`), each under its grant value and announced with
 * seat -1).
 *
 * A waiter that may queue for a permit registers with each attempt and renewal (field `>id` of `qn`) a *grant value*
 * (a fresh `<waiter id>/<n>` per attempt, never the value of an attempt), the seat it prefers, and its Redlock's inbox:
 * `<grant> <seat> <inbox>` (see `family/seatTally.ts`). `handSeats` gives each seat free here (the one a release freed
 * first) to the first of the first `permits` waiters that prefers it, under its grant value, for the hand-over ttl,
 * takes it out of the queue, raises the fencing counter by one and publishes `>id token grant seat` on its inbox (on
 * the semaphore's channel without one). The waiter keeps its lease in `ql` (its renewals keep it while it waits), so
 * a waiter killed while a hold was handed to it loses its registration when the lease lapses, as a queued one does;
 * before, nothing removed it, and under steady traffic `qn` never expired either. When none of them prefers the seat,
 * the first of them not served is named (`>id`) and attempts, as a waiter without a registration does.
 *
 * Why by preference, not "to the first in line": the waiter needs one seat from a quorum, and releases racing each
 * other reach the instances in different orders, so the first in line got whichever seat came free first on each
 * instance: in a one-process L5 probe a third of the waiters were handed three different seats, none on a quorum,
 * and held all three until they attempted. With only two instances up, such waiters swapped seats among themselves
 * for good (the family's fault test timed out). A seat goes to the same waiter on every instance whose line agrees,
 * whatever the order of the releases. Why the others are named rather than handed another seat: a seat a waiter does
 * not prefer may be another on each instance, as above; an attempt takes a free seat by the attempt's rule. Why only
 * the first `permits` waiters: one that prefers a seat held long is passed over only while a waiter near the head
 * prefers the seat that came free, so it waits for the held seat no longer than the line takes to fill up before it.
 *
 * Why a grant value of its own: nothing of the waiter touches a seat held by the value it registered last but that
 * value's expiry and the waiter's own later requests: the undo of an attempt drops the attempt's value only, so an
 * undo racing a hand-over cannot take a seat the waiter counted. `handedHere` finds such a seat (or read or write
 * hold): the waiter's next attempt takes it over (it passes to the attempt's value: the waiter held it already),
 * renewals and undos do not queue it again (a queued holder would count twice), and its release or leave gives it
 * back.
 */
export const SEAT_HAND_OVER = `local SEAT_HAND_OVER_TTL = ${HAND_OVER_TTL}
local function grantOf(registration)
  if not registration then return nil end
  local space = string.find(registration, ' ', 1, true)
  if space then return string.sub(registration, 1, space - 1) end
  return registration
end
local function seatAndInbox(registration)
  local space = string.find(registration, ' ', 1, true)
  if not space then return -1, nil end
  local rest = string.sub(registration, space + 1)
  local next = string.find(rest, ' ', 1, true)
  if not next then return tonumber(rest) or -1, nil end
  return tonumber(string.sub(rest, 1, next - 1)) or -1, string.sub(rest, next + 1)
end
local function handedHere(h, x, qn, w)
  local grant = grantOf(redis.call('HGET', qn, '>' .. w))
  if grant and (redis.call('ZSCORE', h, grant) or redis.call('ZSCORE', x, grant)) then return grant end
  return nil
end
local function handSeat(channel, h, q, qw, hs, fence, w, registration, s)
  local grant = grantOf(registration)
  local _, inbox = seatAndInbox(registration)
  local now = nowMs()
  s = tostring(s)
  redis.call('ZADD', h, now + SEAT_HAND_OVER_TTL, grant)
  keepFor(h, SEAT_HAND_OVER_TTL)
  if s ~= '-1' then
    redis.call('HSET', hs, s, grant, grant, s)
    keepFor(hs, SEAT_HAND_OVER_TTL)
  end
  redis.call('ZREM', q, w)
  redis.call('ZREM', qw, w)
  local c = redis.call('INCRBY', fence, 1)
  redis.call('PUBLISH', inbox or channel, '>' .. w .. ' ' .. c .. ' ' .. grant .. ' ' .. s)
end
local function handHolds(channel, h, x, q, qn, qw, fence, except)
  if redis.call('EXISTS', q) == 0 or redis.call('EXISTS', x) == 1 then return end
  local ids, writer = rwLetsIn(h, q, qw)
  if not ids then return end
  local set = writer and x or h
  for j = 1, #ids do
    if ids[j] ~= except then
      local registration = redis.call('HGET', qn, '>' .. ids[j])
      if registration then
        handSeat(channel, set, q, qw, nil, fence, ids[j], registration, -1)
      else
        redis.call('PUBLISH', channel, '>' .. ids[j])
      end
    end
  end
end
local function handSeats(channel, permits, h, x, q, qn, qw, hs, fence, except, seat)
  if permits == 0 then return handHolds(channel, h, x, q, qn, qw, fence, except) end
  if redis.call('EXISTS', q) == 0 then return end
  local free = permits - redis.call('ZCARD', h)
  if free <= 0 then return end
  local seats = {}
  if seat >= 0 and seat < permits and seatFree(h, hs, seat) then seats[1] = seat end
  for s = 0, permits - 1 do
    if #seats >= free then break end
    if s ~= seat and seatFree(h, hs, s) then seats[#seats + 1] = s end
  end
  -- At most 64 waiters read per change: a bound on the script's work for a semaphore of many permits.
  local line = redis.call('ZRANGE', q, 0, math.min(permits, 64) - 1)
  local registrations, prefers = {}, {}
  for j = 1, #line do
    registrations[j] = redis.call('HGET', qn, '>' .. line[j])
    prefers[j] = -1
    if registrations[j] then prefers[j] = seatAndInbox(registrations[j]) end
  end
  local taken = {}
  local named = false
  for k = 1, #seats do
    local pick = nil
    for j = 1, #line do
      if not taken[j] and line[j] ~= except and (prefers[j] == seats[k] or prefers[j] < 0) then
        pick = j
        break
      end
    end
    if pick then
      taken[pick] = true
      if registrations[pick] then
        handSeat(channel, h, q, qw, hs, fence, line[pick], registrations[pick], seats[k])
      else
        redis.call('PUBLISH', channel, '>' .. line[pick])
      end
    elseif not named then
      named = true
      for j = 1, #line do
        if not taken[j] and line[j] ~= except then
          redis.call('PUBLISH', channel, '>' .. line[j])
          break
        end
      end
    end
  end
end
`
