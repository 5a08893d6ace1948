/**
 * `dropLapsed(q, ql, now)`: takes the waiters whose lease ended by `now` (this instance's clock, ms) out of a queue's
 * `q` and `ql` (see `queue.ts`), and returns their ids so that the caller drops what else it keeps of them (a lock's
 * grant values, a shared hold's waiting writers).
 */
export const DROP_LAPSED = `
local function dropLapsed(q, ql, now)
  local gone = redis.call('ZRANGEBYSCORE', ql, '-inf', now)
  for j = 1, #gone do
    redis.call('ZREM', q, gone[j])
    redis.call('ZREM', ql, gone[j])
  end
  return gone
end
`
