import { HANDOVER_TOKENS } from '../options.js'
import { DROP_LAPSED } from './includes/dropLapsed.js'
import { JOIN_QUEUE } from './includes/joinQueue.js'

/**
 * The Lua pieces every queue-aware operation shares (the way BullMQ shares its `includes/`): defined once at the top
 * of each script that uses them, and once in BATCH.
 *
 * The queue of a resource, per instance, is three keys in the lock key's slot (see `keys.ts`): `q`, a sorted set of
 * waiter ids scored by ticket; `ql`, the same ids scored by the Redis time (ms) at which their lease ends; `qn`, a
 * hash: field `#` is the counter tickets are drawn from, and each lock value a queued waiter claimed maps to its
 * waiter id (so a refused contender learns whose claim is in its way). A waiter whose lease passed is pruned by the
 * next script that touches the queue, judged by this instance's own clock (`TIME`), never by comparing two machines'
 * clocks. The three keys go when the queue empties, and expire two leases after its last change in any case.
 *
 * A waiter id is the value of an acquire's first attempt; later attempts have values of their own and name their
 * waiter id beside it. A key "handed" to a waiter holds its id, or one of its *grant values* (`<waiter id>/<n>`): a
 * one-resource waiter registers a fresh one with each attempt and renewal that may queue it (field `>id` of `qn`),
 * never used as an attempt's value; registered with its Redlock's inbox channel after a space (`<grant> <inbox>`),
 * when it has one. A release (or leave, pass) that hands the key to a waiter with a grant value sets the key to it,
 * raises the fencing counter by the hand-over reserve, and publishes `>id token grant` on the waiter's inbox (on the
 * lock's channel without one: only the waiter's process hears it, not every process that waits): the
 * waiter holds the lock once a quorum handed it the same grant value with the same token (see `directGrant.ts`),
 * without a claim. Its own claims treat any of its grant values as handed to it (and take the key over); nothing
 * else of the waiter ever touches a key holding the grant value it registered last, so the undo of an earlier
 * attempt cannot take a key it counted. Waiters without a grant value get their bare id, as before, and claim it.
 *
 * Field `<` of `qn` is the inbox of the lock's holder, when it took the lock (by a grant or a claim) with an inbox
 * registered: a waiter that queues or renews is announced there (`?id key`, `announceWaiter`) instead of on the
 * lock's channel to every process that waits, and `holderIs` tells a new holder at once of the first waiter queued
 * behind it. A waiter registered with the holder's own inbox is not announced to it: a waiter of the same Redlock is
 * not "another process" (its `?` could arrive before the Redlock knew the id, and turned its fifo hand-overs in one
 * process into trips through Redis: L3 fell from 749 to 543 acquisitions/s). Only the holder's process acts on `?` (it then hands the lock on through the queue, not to a waiter of
 * its own: the `fairness` option); before, all 8 processes of L4a heard some 46 of them per acquisition. A holder
 * without one (first attempt on a free key, several resources, a bare id handed over) leaves the field unset, and
 * waiters are announced on the lock's channel as before; a stale field (a holder whose key expired) only sends the
 * hint to a process that no longer holds.
 */
export const QUEUE_INCLUDES = `${DROP_LAPSED}local PROVISIONAL = 1125899906842624
local GRANT_TOKENS = ${HANDOVER_TOKENS}
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function unmarked(v)
  if v and string.byte(v, -1) == 43 then return string.sub(v, 1, -2) end
  return v
end
local function granteeOf(v)
  local slash = string.find(v, '/', 1, true)
  if slash then return string.sub(v, 1, slash - 1) end
  return nil
end
local function waiterOf(v, q, qn)
  local grantee = granteeOf(v)
  if grantee then return grantee end
  if redis.call('ZSCORE', q, v) then return v end
  return redis.call('HGET', qn, v) or v
end
local function prune(q, ql, qn, now)
  local gone = dropLapsed(q, ql, now)
  for j = 1, #gone do redis.call('HDEL', qn, '>' .. gone[j]) end
  local head = redis.call('ZRANGE', q, 0, 0)[1]
  if not head then redis.call('DEL', q, ql, qn) end
  return head
end
local function inboxOf(registration)
  local space = registration and string.find(registration, ' ', 1, true)
  if space then return string.sub(registration, space + 1) end
  return nil
end
local function announceWaiter(key, qn, w, from)
  local inbox = redis.call('HGET', qn, '<')
  if inbox then
    if from ~= inbox then redis.call('PUBLISH', inbox, '?' .. w .. ' ' .. key) end
  else
    redis.call('PUBLISH', key, '?' .. w)
  end
end
local function holderIs(key, q, qn, w, inbox)
  if inbox then redis.call('HSET', qn, '<', inbox) else redis.call('HDEL', qn, '<') end
  if not inbox then return end
  local first = redis.call('ZRANGE', q, 0, 1)
  local other = first[1]
  if other == w then other = first[2] end
  if other and inboxOf(redis.call('HGET', qn, '>' .. other)) ~= inbox then
    redis.call('PUBLISH', inbox, '?' .. other .. ' ' .. key)
  end
end
local function handToHead(key, fence, q, ql, qn, now, short)
  local head = prune(q, ql, qn, now)
  if head then
    local mark = ''
    if redis.call('ZCARD', q) > 1 then mark = '+' end
    local grant = redis.call('HGET', qn, '>' .. head)
    if grant then
      local inbox = nil
      local space = string.find(grant, ' ', 1, true)
      if space then grant, inbox = string.sub(grant, 1, space - 1), string.sub(grant, space + 1) end
      local c = redis.call('INCRBY', fence, GRANT_TOKENS)
      redis.call('SET', key, grant .. mark, 'PX', short)
      redis.call('PUBLISH', inbox or key, '>' .. head .. ' ' .. c .. ' ' .. grant)
      holderIs(key, q, qn, head, inbox)
    else
      redis.call('SET', key, head .. mark, 'PX', short)
      redis.call('PUBLISH', key, '>' .. head)
      redis.call('HDEL', qn, '<')
    end
  else
    redis.call('DEL', key)
    redis.call('PUBLISH', key, '')
  end
end
${JOIN_QUEUE}`
