import { defineShareScript } from './shareQueue.js'

/**
 * shareLeave: takes a waiter out of the queue of a shared hold (it gave up, or won and is queued no more).
 *
 * KEYS: the eight keys of a shared hold (see `shareQueue.ts`). ARGV: waiter id, channel, permits (0: a read-write
 * lock). Reply: 1 when it was queued.
 *
 * Guarantee: the waiter is no longer queued here. When it was, the waiters its leaving lets in are told by id
 * (`announce`): a writer that gives up lets the readers behind it pass.
 */
export const SHARE_LEAVE = defineShareScript(
  'shareLeave',
  `
local h, x, q, ql, qw, hs = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[6], KEYS[8]
local was = redis.call('ZREM', q, ARGV[1])
redis.call('ZREM', ql, ARGV[1])
redis.call('ZREM', qw, ARGV[1])
if was == 1 then
  local now = nowMs()
  pruneHolders(h, x, now, hs)
  pruneWaiters(q, ql, qw, now)
  announce(ARGV[2], tonumber(ARGV[3]), h, x, q, qw)
end
return was
`,
)
