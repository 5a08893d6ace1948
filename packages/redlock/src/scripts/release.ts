import { defineOperation } from './Operation.js'

/**
 * release: lets a lock's keys go, to the next waiter in the queue when there is one.
 *
 * KEYS: n lock keys, their n fencing counters, then per resource its queue, leases and ticket counter (see
 * `queue.ts`).
 * ARGV: value, hand-over ttl (ms), waiter id (left out when it is the value). Reply: how many keys were released.
 *
 * Guarantee: touches only keys still holding this value, or the bare id of its waiter (a key handed to it that it
 * never claimed), or, when the value is not the bare id (the release of a lock won by a claim or a direct grant,
 * never the undo of a first attempt), one of its waiter's grant values; with the waiter mark or not; never another
 * holder's. Its waiter leaves the queue (also where it
 * holds nothing). When others are queued (leases not passed, by this instance's clock), the key is set to the first
 * one's grant value or id with the short hand-over ttl, not the lock's (a dead waiter cannot stall the lock for
 * long), and announced on the lock's name as a channel (`handToHead` in `queue.ts`): that waiter holds it once a
 * quorum handed it the same grant, or claims it with an attempt of its own, which needs a quorum like any other. Otherwise the key is deleted, and announced (an empty message) when somebody had found it held; an
 * uncontended release is a GET, an EXISTS and a DEL.
 */
export const RELEASE = defineOperation(
  'release',
  'd',
  `
  local n = #keys / 5
  local w = argv[3] or argv[1]
  local released = 0
  local now
  for i = 1, n do
    local key, q, ql, qn = keys[i], keys[2 * n + i], keys[3 * n + i], keys[4 * n + i]
    local queued = redis.call('EXISTS', q) == 1
    if queued then
      redis.call('ZREM', q, w)
      redis.call('ZREM', ql, w)
      redis.call('HDEL', qn, argv[1], '>' .. w)
    end
    local v = redis.call('GET', key)
    local held = unmarked(v)
    if held and (held == argv[1] or held == w or (argv[1] ~= w and granteeOf(held) == w)) then
      released = released + 1
      if queued then
        now = now or nowMs()
        handToHead(key, keys[n + i], q, ql, qn, now, argv[2])
      else
        redis.call('DEL', key)
        if v ~= held then redis.call('PUBLISH', key, '') end
      end
    end
  end
  return released
`,
  // One resource, nobody queued, nobody found it held (no waiter mark): GET and DEL, before the queue's pieces.
  `
  if #keys == 5 and redis.call('EXISTS', keys[3]) == 0 then
    local v = redis.call('GET', keys[1])
    if v == argv[1] then
      redis.call('DEL', keys[1])
      return 1
    end
  end
`,
)
