/**
 * `joinQueue(q, qn, w, ticketArg)`: puts waiter `w` in queue `q` (see `queue.ts` for the queue's keys), or finds it
 * there, and returns its ticket counter and whether it was added now. A waiter already queued keeps its score (a
 * provisional one counts less `PROVISIONAL`); one with a settled ticket (`ticketArg`, the ARGV string, > 0) is added
 * with it, and the ticket counter (field `#` of `qn`) is raised to it so later newcomers sort after it; a newcomer
 * draws the next counter and is added with a provisional score that sorts after every settled ticket. The caller
 * sets the lease and the keys' expiry.
 *
 * Defined after `QUEUE_INCLUDES` (it uses `PROVISIONAL`).
 */
export const JOIN_QUEUE = `
local function joinQueue(q, qn, w, ticketArg)
  local s = redis.call('ZSCORE', q, w)
  if s then
    local c = tonumber(s)
    if c >= PROVISIONAL then c = c - PROVISIONAL end
    return c, false
  end
  local ticket = tonumber(ticketArg or '0')
  if ticket > 0 then
    redis.call('ZADD', q, ticket, w)
    if tonumber(redis.call('HGET', qn, '#') or '0') < ticket then redis.call('HSET', qn, '#', ticketArg) end
    return ticket, true
  end
  local c = redis.call('HINCRBY', qn, '#', 1)
  redis.call('ZADD', q, PROVISIONAL + c, w)
  return c, true
end
`
