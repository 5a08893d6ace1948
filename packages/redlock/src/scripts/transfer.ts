import { defineOperation } from './Operation.js'

/** How many waiters at the head of a queue a transfer looks at to tell whether another Redlock's waiter is there. */
export const OTHERS_LOOKED_AT = 8

/**
 * transfer: hands a held lock to its next holder in the same process without letting it go.
 *
 * KEYS: n lock keys, their n fencing counters, then per resource its queue, leases and ticket counter (see
 * `queue.ts`). ARGV: old value, new value, ttl (ms), ceiling (decimal), the successor's waiter id, hand-over ttl (ms),
 * the old holder's waiter id, the holder's inbox (optional).
 * Reply: 1 when handed over, 2 when handed over while a waiter of another Redlock is queued near the head of a
 * queue, 0 when not.
 *
 * Guarantee: only when every key still holds the old value (with the waiter mark or not) are they all set to the
 * new value with the new ttl, keeping a waiter mark, and the counters raised to at least the ceiling; the old
 * holder's waiter and the successor leave the queues. Otherwise the keys still holding the old value are let go as
 * a release would (to the next queued waiter, or deleted and announced): the instance then holds nothing of either
 * holder.
 *
 * Why the reply says who else waits: a holder learns that another process waits from a `?` message, and pub/sub is
 * at most once. One published while its subscriber was still connecting (every process at the start of a run) or
 * reconnecting is lost, and the holder then kept handing the lock to its own waiters until the other waiter's next
 * renewal announced it again: in L4b (4 processes x 4 workers) the other 12 workers waited 200-300 ms at the start.
 * The hand-over is a round trip anyway, so under `fifo` the next release goes back to the common order at once. Only
 * the first `OTHERS_LOOKED_AT` live waiters are looked at (registered under another inbox, or not registered), so the
 * cost stays bounded however long the line.
 */
export const TRANSFER = defineOperation(
  'transfer',
  't',
  `
  local OTHERS_LOOKED_AT = ${OTHERS_LOOKED_AT}
  local n = #keys / 5
  local marked = argv[1] .. '+'
  local gone = argv[7]
  local olds = {}
  for i = 1, n do
    olds[i] = redis.call('GET', keys[i])
    if olds[i] ~= argv[1] and olds[i] ~= marked then
      local now = nowMs()
      for j = 1, n do
        local v = redis.call('GET', keys[j])
        if v == argv[1] or v == marked then
          local q, ql = keys[2 * n + j], keys[3 * n + j]
          redis.call('ZREM', q, gone)
          redis.call('ZREM', ql, gone)
          handToHead(keys[j], keys[n + j], q, ql, keys[4 * n + j], now, argv[6])
        end
      end
      return 0
    end
  end
  local others = false
  for i = 1, n do
    local q, ql, qn = keys[2 * n + i], keys[3 * n + i], keys[4 * n + i]
    if redis.call('EXISTS', q) == 1 then
      redis.call('ZREM', q, gone, argv[5])
      redis.call('ZREM', ql, gone, argv[5])
      redis.call('HDEL', qn, argv[1])
      if prune(q, ql, qn, nowMs()) and not others then
        for _, w in ipairs(redis.call('ZRANGE', q, 0, OTHERS_LOOKED_AT - 1)) do
          if inboxOf(redis.call('HGET', qn, '>' .. w)) ~= argv[8] then others = true end
        end
      end
    end
    if olds[i] == marked then
      redis.call('SET', keys[i], argv[2] .. '+', 'PX', argv[3])
    else
      redis.call('SET', keys[i], argv[2], 'PX', argv[3])
    end
  end
  local t = tonumber(argv[4])
  for i = n + 1, 2 * n do
    local c = redis.call('GET', keys[i])
    if not c or tonumber(c) < t then redis.call('SET', keys[i], argv[4]) end
  end
  if others then return 2 end
  return 1
`,
)
