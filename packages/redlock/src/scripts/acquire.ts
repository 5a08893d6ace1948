import { defineOperation } from './Operation.js'

/**
 * acquire: sets every lock key of one lock, or none, and raises the fencing counters; a refused waiter is queued.
 *
 * KEYS: n lock keys, their n fencing counters (resources of one slot share a counter: a key may be listed twice,
 * which changes nothing below), then per resource its queue, leases and ticket counter (see `queue.ts`).
 * ARGV: value, ttl (ms), reserve (tokens to record), lease (ms; 0 = do not queue), ticket (0: none yet), waiter id
 * (left out when it is the value and no grant value follows), grant value (one resource only; optional).
 * Reply: c, the common value the counters now hold, when granted; else { counter, holder, holder's ticket }: this
 * instance's ticket counter for the waiter (0 when not queued), the waiter id holding the first refused resource (or
 * first in its queue), and that holder's score in the queue (-1 when it is not queued: a plain holder).
 *
 * Guarantee: all-or-nothing on this instance. Granted when every key is free and nobody else is first in its queue,
 * or holds the waiter's own id (handed to it by a release, see `release.ts`), or this value: then every key is set
 * to value with the ttl, and the counters become c = (highest counter) + reserve, so the tokens c - reserve + 1 .. c
 * are above every counter this instance had. Counters are only ever raised. The caller takes the tokens when a
 * quorum returned the same c, else it raises a quorum to the highest c first (`raise`). Otherwise nothing is set: a
 * held key gets the waiter mark `+` appended (once; its ttl stays), which tells its holder's release to look at the
 * queue, and, when lease > 0, the waiter is queued on every resource (a taker with a queue behind it becomes the holder the queue announces
 * waiters to: `holderIs`; a new one with a provisional score that sorts
 * after every settled ticket, announced as `?id` to the holder: `announceWaiter` in `queue.ts`) and its lease renewed. A ticket settles the
 * waiter's score on every resource. A queued waiter that sent a grant value registers it as the one a release hands
 * the key to (see `queue.ts`); a key holding any grant value of the waiter counts as handed to it. The uncontended
 * path (no queue, key free) stays SET NX and INCRBY.
 */
export const ACQUIRE = defineOperation(
  'acquire',
  'a',
  `
  local n = #keys / 5
  local value = argv[1]
  local w = argv[6] or value
  local lease = tonumber(argv[4])
  local ticket = tonumber(argv[5] or '0')
  local now = nowMs()
  local conflict, holder
  for i = 1, n do
    local q, ql, qn = keys[2 * n + i], keys[3 * n + i], keys[4 * n + i]
    if ticket > 0 and redis.call('ZSCORE', q, w) then redis.call('ZADD', q, ticket, w) end
    local head = prune(q, ql, qn, now)
    local held = unmarked(redis.call('GET', keys[i]))
    if held then
      if held ~= value and held ~= w then
        local other = waiterOf(held, q, qn)
        if other ~= w then
          conflict, holder = i, other
          break
        end
      end
    elseif head and head ~= w then
      conflict, holder = i, head
      break
    end
  end
  if not conflict then
    for i = 1, n do
      local q = keys[2 * n + i]
      local others = redis.call('ZCARD', q)
      if redis.call('ZSCORE', q, w) then
        others = others - 1
        if value ~= w then redis.call('HSET', keys[4 * n + i], value, w) end
      end
      if redis.call('EXISTS', q) == 1 then holderIs(keys[i], q, keys[4 * n + i], w, inboxOf(argv[7])) end
      if others > 0 then
        redis.call('SET', keys[i], value .. '+', 'PX', argv[2])
      else
        redis.call('SET', keys[i], value, 'PX', argv[2])
      end
    end
    local top = 0
    for i = n + 1, 2 * n do
      local c = tonumber(redis.call('GET', keys[i]) or '0')
      if c > top then top = c end
    end
    local common = string.format('%d', top + tonumber(argv[3]))
    for i = n + 1, 2 * n do redis.call('SET', keys[i], common) end
    return tonumber(common)
  end
  local counter = 0
  for i = 1, n do
    local key, q, ql, qn = keys[i], keys[2 * n + i], keys[3 * n + i], keys[4 * n + i]
    local v = redis.call('GET', key)
    if v and string.byte(v, -1) ~= 43 then redis.call('APPEND', key, '+') end
    if lease > 0 then
      local c, added = joinQueue(q, qn, w, argv[5])
      if added then announceWaiter(key, qn, w, inboxOf(argv[7])) end
      if c > counter then counter = c end
      redis.call('ZADD', ql, now + lease, w)
      if argv[7] then redis.call('HSET', qn, '>' .. w, argv[7]) end
      redis.call('PEXPIRE', q, 2 * lease)
      redis.call('PEXPIRE', ql, 2 * lease)
      redis.call('PEXPIRE', qn, 2 * lease)
    end
  end
  local score = redis.call('ZSCORE', keys[2 * n + conflict], holder)
  return { counter, holder, score and tonumber(score) or -1 }
`,
  // One resource, nobody queued, key free: SET NX and INCRBY, before the queue's pieces are defined.
  `
  if #keys == 5 and redis.call('EXISTS', keys[3]) == 0 then
    if redis.call('SET', keys[1], argv[1], 'NX', 'PX', argv[2]) then return redis.call('INCRBY', keys[2], argv[3]) end
  end
`,
)
