import { defineOperation } from './Operation.js'

/**
 * transfer: hands a held lock to its next holder in the same process without letting it go.
 *
 * KEYS: n lock keys, their n fencing counters, then per resource its queue, leases and ticket counter (see
 * `queue.ts`). ARGV: old value, new value, ttl (ms), ceiling (decimal), the successor's waiter id, hand-over ttl (ms),
the old holder's waiter id.
 * Reply: 1 when handed over, 0 when not.
 *
 * Guarantee: only when every key still holds the old value (with the waiter mark or not) are they all set to the
 * new value with the new ttl, keeping a waiter mark, and the counters raised to at least the ceiling; the old
 * holder's waiter and the successor leave the queues. Otherwise the keys still holding the old value are let go as
 * a release would (to the next queued waiter, or deleted and announced): the instance then holds nothing of either
 * holder.
 */
export const TRANSFER = defineOperation(
  'transfer',
  't',
  `
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
  for i = 1, n do
    local q, ql = keys[2 * n + i], keys[3 * n + i]
    if redis.call('EXISTS', q) == 1 then
      redis.call('ZREM', q, gone, argv[5])
      redis.call('ZREM', ql, gone, argv[5])
      redis.call('HDEL', keys[4 * n + i], argv[1])
      if redis.call('EXISTS', q) == 0 then redis.call('DEL', ql, keys[4 * n + i]) end
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
  return 1
`,
)
