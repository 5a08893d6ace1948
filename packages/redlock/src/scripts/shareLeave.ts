import { defineShareScript } from './shareQueue.js'

/**
 * shareLeave: takes a waiter out of the queue of a shared hold (it gave up, or won and is queued no more).
 *
 * KEYS: the seven keys of a shared hold (see `shareQueue.ts`). ARGV: waiter id, channel. Reply: 1 when it was queued.
 *
 * Guarantee: the waiter is no longer queued here. When it was, and others still wait, an empty message on the channel
 * tells them: a waiter that leaves can let those behind it in (a writer that gives up lets readers pass).
 */
export const SHARE_LEAVE = defineShareScript(
  'shareLeave',
  `
local q, ql, qw = KEYS[3], KEYS[4], KEYS[6]
local was = redis.call('ZREM', q, ARGV[1])
redis.call('ZREM', ql, ARGV[1])
redis.call('ZREM', qw, ARGV[1])
if was == 1 and redis.call('EXISTS', q) == 1 then redis.call('PUBLISH', ARGV[2], '') end
return was
`,
)
