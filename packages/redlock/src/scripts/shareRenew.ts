import { defineShareScript } from './shareQueue.js'

/**
 * shareRenew: keeps a waiter's place in the queue of a shared hold, and settles its ticket.
 *
 * KEYS: the eight keys of a shared hold (see `shareQueue.ts`). ARGV: mode, permits, waiter id, ticket, lease (ms),
 * registration (optional, see `shareHandOver.ts`). Reply: 1 when the waiter would be admitted now (an expired holder
 * freed its share, say) or holds a seat here by a hand-over, else 0.
 *
 * Guarantee: a waiter that holds a seat here by a hand-over is not queued again (it would count twice); only its
 * lease is renewed, which keeps its registration.
 * Otherwise the waiter is in the queue with its ticket as score (added again when the instance lost it, e.g. after a
 * restart), and its lease ends `lease` ms from now on this instance's clock; the ticket counter is raised to at
 * least the ticket, so a waiter queued later here gets a higher one.
 */
export const SHARE_RENEW = defineShareScript(
  'shareRenew',
  `
local h, x, q, ql, qn, qw, hs = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[8]
local mode, permits, w, ticket, lease = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local now = nowMs()
pruneHolders(h, x, now, hs)
pruneWaiters(q, ql, qw, now, qn)
if handedHere(h, x, qn, w) then
  redis.call('ZADD', ql, now + lease, w)
  return 1
end
redis.call('ZADD', q, ticket, w)
if ARGV[6] then redis.call('HSET', qn, '>' .. w, ARGV[6]) end
if mode == 'w' then redis.call('ZADD', qw, ticket, w) end
if tonumber(redis.call('HGET', qn, '#') or '0') < ticket then redis.call('HSET', qn, '#', ARGV[4]) end
redis.call('ZADD', ql, now + lease, w)
queueFor(q, ql, qn, qw, lease)
if admissible(mode, permits, h, x, q, qw, w) then return 1 end
return 0
`,
)
