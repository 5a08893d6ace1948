import { defineShareScript } from './shareQueue.js'

/**
 * shareLeave: takes a waiter out of the queue of a shared hold (it gave up, or won and is queued no more).
 *
 * KEYS: the eight keys of a shared hold (see `shareQueue.ts`). ARGV: waiter id, channel, permits (0: a read-write
 * lock). Reply: 1 when it was queued.
 *
 * Guarantee: the waiter is no longer queued here, and a seat handed to it here (`handedHere`) is given back: it gave
 * up, or won with another value. When either changed something, the seats free go to the first waiters by a
 * hand-over (`handSeats`), a read-write lock's waiters are told by id (`announce`): a writer that gives up lets the
 * readers behind it pass.
 */
export const SHARE_LEAVE = defineShareScript(
  'shareLeave',
  `
local h, x, q, ql, qn, qw, fence, hs = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local w = ARGV[1]
local handed = handedHere(h, x, qn, w)
local seat = -1
if handed then
  seat = tonumber(redis.call('HGET', hs, handed) or '-1')
  dropHold(h, x, hs, handed)
end
redis.call('HDEL', qn, '>' .. w)
local was = redis.call('ZREM', q, w)
redis.call('ZREM', ql, w)
redis.call('ZREM', qw, w)
if was == 1 or handed then
  local now = nowMs()
  pruneHolders(h, x, now, hs)
  pruneWaiters(q, ql, qw, now, qn)
  handSeats(ARGV[2], tonumber(ARGV[3]), h, x, q, qn, qw, hs, fence, nil, seat)
end
return was
`,
)
