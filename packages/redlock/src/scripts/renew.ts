import { defineOperation } from './Operation.js'

/**
 * renew: keeps a waiter's place in the queues of its resources, and settles its ticket.
 *
 * KEYS: n lock keys, then per resource its queue, leases and ticket counter (see `queue.ts`).
 * ARGV: waiter id, ticket, lease (ms), grant value (one resource only; optional). Reply: 1 when it is the waiter's
 * turn on every resource (the key handed to it, or free with the waiter first in the queue), else 0.
 *
 * Guarantee: the waiter is in every queue with its ticket as score (added again when the instance lost it, e.g. after
 * a restart) and a lease ending `lease` ms from now on this instance's clock, and its grant value, when sent, is the
 * one a release hands the key to (see `queue.ts`); the ticket counter is raised to at
 * least the ticket, so a waiter queued later here gets a higher ticket. A key held by someone else gets the waiter
 * mark and the waiter is announced to the holder (`?id`, `announceWaiter` in `queue.ts`), so the holder's process
 * knows somebody elsewhere waits.
 */
export const RENEW = defineOperation(
  'renew',
  'n',
  `
  local n = #keys / 4
  local w, ticket, lease = argv[1], tonumber(argv[2]), tonumber(argv[3])
  local now = nowMs()
  local turn = 1
  for i = 1, n do
    local key, q, ql, qn = keys[i], keys[n + i], keys[2 * n + i], keys[3 * n + i]
    prune(q, ql, qn, now)
    redis.call('ZADD', q, ticket, w)
    if tonumber(redis.call('HGET', qn, '#') or '0') < ticket then redis.call('HSET', qn, '#', argv[2]) end
    redis.call('ZADD', ql, now + lease, w)
    if argv[4] then redis.call('HSET', qn, '>' .. w, argv[4]) end
    redis.call('PEXPIRE', q, 2 * lease)
    redis.call('PEXPIRE', ql, 2 * lease)
    redis.call('PEXPIRE', qn, 2 * lease)
    local v = redis.call('GET', key)
    local held = unmarked(v)
    if held then
      if held ~= w and waiterOf(held, q, qn) ~= w then
        turn = 0
        if v == held then redis.call('APPEND', key, '+') end
        announceWaiter(key, qn, w, inboxOf(argv[4]))
      end
    elseif redis.call('ZRANGE', q, 0, 0)[1] ~= w then
      turn = 0
    end
  end
  return turn
`,
)
