import { defineOperation } from './Operation.js'

/**
 * leave: takes a waiter that gives up (aborted, timed out, out of retries) out of the queues at once.
 *
 * KEYS: n lock keys, their n fencing counters, then per resource its queue, leases and ticket counter (see
 * `queue.ts`).
 * ARGV: waiter id, hand-over ttl (ms). Reply: 1.
 *
 * Guarantee: the waiter is no longer queued here; a key handed to it (its bare id or one of its grant values, never
 * a lock it won) goes on to the next waiter, or is deleted and announced, as a release would.
 */
export const LEAVE = defineOperation(
  'leave',
  'l',
  `
  local n = #keys / 5
  local w = argv[1]
  local now = nowMs()
  for i = 1, n do
    local key, q, ql, qn = keys[i], keys[2 * n + i], keys[3 * n + i], keys[4 * n + i]
    redis.call('ZREM', q, w)
    redis.call('ZREM', ql, w)
    redis.call('HDEL', qn, '>' .. w)
    local held = unmarked(redis.call('GET', key))
    if held and (held == w or granteeOf(held) == w) then
      handToHead(key, keys[n + i], q, ql, qn, now, argv[2])
    else
      prune(q, ql, qn, now)
    end
  end
  return 1
`,
)
