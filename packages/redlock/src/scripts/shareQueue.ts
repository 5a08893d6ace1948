import { defineScript, type Script } from '@org/redis-core'
import { QUEUE_INCLUDES } from './queue.js'

/**
 * The Lua pieces the shared holds (read-write locks and semaphores, see `../family/`) have in common, defined at the
 * top of each of their scripts after the lock queue's own pieces (`queue.ts`: `nowMs`, `PROVISIONAL`).
 *
 * Every script of a shared hold takes the same seven keys, all in the name's Cluster slot (see `family/keys.ts`):
 * KEYS[1] `h`, the shared holders (readers, or a semaphore's permits): a sorted set of hold values scored by the Redis
 * time (ms) their hold ends; KEYS[2] `x`, the exclusive holder (a writer), the same way; KEYS[3] `q`, the waiters
 * scored by ticket; KEYS[4] `ql`, their leases (Redis time they end); KEYS[5] `qn`, a hash whose field `#` is the
 * ticket counter; KEYS[6] `qw`, the waiting writers, scored as in `q`; KEYS[7], the fencing counter.
 *
 * Why holders are scored by expiry: a holder that dies frees its share by itself when its time passes on the
 * instance's own clock (`TIME`), with no process having to clean up after it, and the next script that looks prunes it.
 */
export const SHARE_INCLUDES = `
local function pruneHolders(h, x, now)
  redis.call('ZREMRANGEBYSCORE', h, '-inf', now)
  redis.call('ZREMRANGEBYSCORE', x, '-inf', now)
end
local function pruneWaiters(q, ql, qw, now)
  local gone = redis.call('ZRANGEBYSCORE', ql, '-inf', now)
  for j = 1, #gone do
    redis.call('ZREM', q, gone[j])
    redis.call('ZREM', ql, gone[j])
    redis.call('ZREM', qw, gone[j])
  end
end
local function admissible(mode, permits, h, x, q, qw, w)
  if redis.call('EXISTS', x) == 1 then return false end
  local rank = redis.call('ZRANK', q, w)
  if mode == 'w' then
    if redis.call('EXISTS', h) == 1 then return false end
    if rank then return rank == 0 end
    return redis.call('EXISTS', q) == 0
  elseif mode == 'r' then
    local first = redis.call('ZRANGE', qw, 0, 0)[1]
    if not first then return true end
    if not rank then return false end
    return rank < redis.call('ZRANK', q, first)
  end
  local ahead = rank or redis.call('ZCARD', q)
  return redis.call('ZCARD', h) + ahead < permits
end
local function keepFor(key, ms)
  if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
end
local function queueFor(q, ql, qn, qw, lease)
  redis.call('PEXPIRE', q, 2 * lease)
  redis.call('PEXPIRE', ql, 2 * lease)
  redis.call('PEXPIRE', qn, 2 * lease)
  if redis.call('EXISTS', qw) == 1 then redis.call('PEXPIRE', qw, 2 * lease) end
end
`

/** Defines a script of the shared holds: the queue's and the shared holds' Lua pieces, then `body`. */
export function defineShareScript(name: string, body: string): Script {
  return defineScript({ name, source: `${QUEUE_INCLUDES}${SHARE_INCLUDES}${body}` })
}
