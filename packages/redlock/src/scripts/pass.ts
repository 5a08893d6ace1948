import { defineOperation } from './Operation.js'

/**
 * pass: undoes a waiter's failed claim by handing what it got to the waiter that goes first.
 *
 * KEYS: n lock keys, their n fencing counters, then per resource its queue, leases and ticket counter (see
 * `queue.ts`).
 * ARGV: value of the failed attempt, its waiter id, target waiter id (the attempt's own waiter keeps the keys),
 * hand-over ttl (ms).
 * Reply: how many keys were passed.
 *
 * Guarantee: touches only keys holding the attempt's value or its waiter's bare id (never a grant value: its waiter
 * may count a key handed to the grant value it registered last): they are set to the target's id
 * with the short hand-over ttl (never the lock's ttl), so nobody holds a lock through them until the target claims
 * them with a quorum, and they free themselves soon if it never does. Passing to another waiter publishes `>id`. A
 * target no longer queued here (it won, released or left meanwhile) is replaced by the attempt's own waiter, and
 * when that is not queued either, the key goes to the first in line as after a release.
 */
export const PASS = defineOperation(
  'pass',
  'p',
  `
  local n = #keys / 5
  local w = argv[2]
  local target = argv[3]
  local passed = 0
  for i = 1, n do
    local key, q, ql, qn = keys[i], keys[2 * n + i], keys[3 * n + i], keys[4 * n + i]
    local held = unmarked(redis.call('GET', key))
    if held and (held == argv[1] or held == w) then
      passed = passed + 1
      redis.call('HDEL', qn, argv[1])
      local to = target
      if not redis.call('ZSCORE', q, to) then to = w end
      if not redis.call('ZSCORE', q, to) then
        handToHead(key, keys[n + i], q, ql, qn, nowMs(), argv[4])
      else
        if redis.call('ZCARD', q) > 1 then
          redis.call('SET', key, to .. '+', 'PX', argv[4])
        else
          redis.call('SET', key, to, 'PX', argv[4])
        end
        if to ~= w then redis.call('PUBLISH', key, '>' .. to) end
        redis.call('HDEL', qn, '<')
      end
    end
  end
  return passed
`,
)
