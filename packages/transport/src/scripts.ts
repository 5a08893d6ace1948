import { defineScript } from '@org/redis-core'

/** The transport's Lua scripts: each is one atomic step on keys of a single slot. */

/**
 * Shared piece of the scripts that append to a bounded side stream (dead letters, recreated replies, cancels):
 * `add(cap, ttl, field, value, ...)` appends one entry to KEYS[1] with `MAXLEN ~ cap`, sets the stream's ttl to
 * `ttl` ms when one is given (nil leaves it alone), and returns the entry's id.
 */
const ADD = `
local function add(cap, ttl, ...)
  local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', cap, '*', ...)
  if ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
  return id
end`

/**
 * KEYS[1] inbox. ARGV[1] group, ARGV[2..] entry ids. Replies the number of entries deleted. Acknowledges the entries
 * and deletes them in one step, so a handled request never lingers (the inbox holds only unread and running requests)
 * and none is deleted unacknowledged.
 */
export const ACK_AND_DELETE = defineScript({
  name: 'ackAndDelete',
  numberOfKeys: 1,
  source: `
redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))
return redis.call('XDEL', KEYS[1], unpack(ARGV, 2))
`,
})

/**
 * KEYS[1] any key. No ARGV. Replies Redis' clock (seconds, microseconds) of the node holding that key, so deadlines
 * stamped by that node (stream ids are its milliseconds) are judged by the same clock. Writes nothing.
 */
export const NODE_TIME = defineScript({
  name: 'nodeTime',
  numberOfKeys: 1,
  source: `
return redis.call('TIME')
`,
})

/**
 * KEYS[1] inbox. No ARGV. Replies 1 when it deleted the inbox, else 0. Deletes an adopted inbox only when it holds no
 * entry at all, so a request that arrived meanwhile is never dropped; later senders then see that the provider is gone
 * (their XADD NOMKSTREAM returns nil).
 */
export const DELETE_IF_EMPTY = defineScript({
  name: 'deleteIfEmpty',
  numberOfKeys: 1,
  source: `
if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('XLEN', KEYS[1]) == 0 then
  return redis.call('DEL', KEYS[1])
end
return 0
`,
})

/**
 * KEYS[1] reply stream. ARGV[1] ttl ms, ARGV[2] (optional) the id its reader has read up to. Replies the id below
 * which nothing is unread when it had to create the stream, '0-0' when the stream's last id is below the reader's
 * (it was recreated, after keys were lost, on a server whose clock is behind the one that made the reader's ids: its
 * replies sort below what the reader waits for, so it must read the stream from the start), else false. Creates the
 * client's reply stream empty if it is missing (new client, or Redis lost it) without ever touching replies already
 * in it, and renews its time to live so a crashed client's stream goes away.
 */
export const ENSURE_REPLY_STREAM = defineScript({
  name: 'ensureReplyStream',
  numberOfKeys: 1,
  source: `
local function below(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  return am < bm or (am == bm and as < bs)
end
local created = false
if redis.call('EXISTS', KEYS[1]) == 0 then
  created = redis.call('XADD', KEYS[1], 'MAXLEN', '0', '*', 'x', '1')
elseif ARGV[2] then
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then
      if below(info[i + 1], ARGV[2]) then created = '0-0' end
      break
    end
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return created
`,
})

/**
 * KEYS[1] dead-letter stream. ARGV[1] length cap (MAXLEN ~), ARGV[2] ttl ms, ARGV[3..] field, value pairs. Replies the
 * new entry's id. Records one request that was settled without the reply it asked for, and renews the stream's time
 * to live in the same step, so the stream is bounded in length and in time and never lingers without a ttl.
 */
export const DEAD_LETTER = defineScript({
  name: 'deadLetter',
  numberOfKeys: 1,
  source: `${ADD}
return add(ARGV[1], ARGV[2], unpack(ARGV, 3))
`,
})

/**
 * KEYS[1] reply stream. ARGV[1] ttl ms, ARGV[2] length cap (MAXLEN ~), ARGV[3] reply records. Replies the entry's id.
 * Stores replies whose stream vanished (keys lost: FLUSHALL, a failover to an empty replica) while their caller may
 * still wait: when the stream is missing it is created with them, the entry carries `n` so the caller renews its own
 * ttl at once, and the stream expires after ARGV[1] if the caller is gone. When the stream exists again (its caller
 * recreated it meanwhile), the replies are added as usual and its ttl is left alone.
 */
export const REPLY_TO_NEW_STREAM = defineScript({
  name: 'replyToNewStream',
  numberOfKeys: 1,
  source: `${ADD}
if redis.call('EXISTS', KEYS[1]) == 1 then return add(ARGV[2], nil, 'r', ARGV[3]) end
return add(ARGV[2], ARGV[1], 'r', ARGV[3], 'n', '1')
`,
})

/**
 * KEYS[1] a provider's cancel stream. ARGV[1] length cap (MAXLEN ~), ARGV[2] request id, ARGV[3] ttl ms. Replies the
 * entry's id. Posts one cancellation and keeps the stream's time to live at least ARGV[3] (the cancelled call's own
 * time: after it the handler's deadline has passed and the cancel means nothing), so the stream of a provider that is
 * gone, or that nobody cancels to any more, expires instead of staying in Redis for good.
 */
export const POST_CANCEL = defineScript({
  name: 'postCancel',
  numberOfKeys: 1,
  source: `${ADD}
local id = add(ARGV[1], nil, 'i', ARGV[2])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return id
`,
})
