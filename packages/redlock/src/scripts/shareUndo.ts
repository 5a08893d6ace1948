import { defineShareScript } from './shareQueue.js'

/**
 * shareUndo: undoes a failed attempt at a shared hold on one instance, keeping the waiter's place.
 *
 * KEYS: the eight keys of a shared hold (see `shareQueue.ts`).
 * ARGV: value, channel, mode, waiter id, ticket (0: none settled yet), lease (ms), permits (0: a read-write lock),
 * registration (optional, see `shareHandOver.ts`).
 * Reply: 1 when it removed a hold.
 *
 * Guarantee: only the hold of this value is removed (each attempt has a value of its own, so an undo that runs late
 * never touches a later attempt's hold). A waiter with a settled ticket is put back in the queue with it (a grant took
 * it out), so an attempt that won here but not on a quorum does not lose its turn, unless a seat was handed to it here
 * meanwhile (a queued holder would count twice). When a hold was removed, the seat freed goes to the first waiters by
 * a hand-over (`handSeats`; a read-write lock's are told by id), but for this waiter itself: it would try again at
 * once, and again, while the instances disagree.
 */
export const SHARE_UNDO = defineShareScript(
  'shareUndo',
  `
local h, x, q, ql, qn, qw, fence, hs = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local seat = tonumber(redis.call('HGET', hs, ARGV[1]) or '-1')
local removed = dropHold(h, x, hs, ARGV[1])
local ticket, lease, w = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[4]
if ticket > 0 and lease > 0 and not handedHere(h, x, qn, w) then
  local now = nowMs()
  redis.call('ZADD', q, ticket, w)
  if ARGV[3] == 'w' then redis.call('ZADD', qw, ticket, w) end
  redis.call('ZADD', ql, now + lease, w)
  if ARGV[8] then redis.call('HSET', qn, '>' .. w, ARGV[8]) end
  queueFor(q, ql, qn, qw, lease)
end
if removed > 0 then handSeats(ARGV[2], tonumber(ARGV[7]), h, x, q, qn, qw, hs, fence, w, seat) end
return removed
`,
)
