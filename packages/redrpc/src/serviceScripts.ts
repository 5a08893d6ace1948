import { defineScript } from '@org/redis-core'

/**
 * KEYS[1] service definition (STRING), KEYS[2] alive (ZSET id -> deadline, Redis-clock ms), KEYS[3] providers
 * (HASH), KEYS[4] owners (HASH): the registry's keys of one service (one hash tag, so one Cluster slot).
 * ARGV[1] '1' to remove even with live providers.
 * Replies `{ removed (0/1), live ids }`: removes the four keys unless a provider is alive by Redis' clock (or ARGV[1]).
 * Guarantee: atomic with the registry's own scripts on these keys, so no provider can register into a service while
 * it is being removed (the registry refuses a provider of a service with no definition), and none alive is missed.
 */
export const UNREGISTER_SERVICE = defineScript({
  name: 'redrpc-unregister-service',
  numberOfKeys: 4,
  source: `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local live = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. now, '+inf')
if #live > 0 and ARGV[1] ~= '1' then return { 0, live } end
local removed = redis.call('DEL', KEYS[1])
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
return { removed, live }
`,
})

/**
 * KEYS[1] a provider's inbox (STREAM), KEYS[2] its cancel stream. Replies 1 when it removed them, 0 when the inbox
 * still holds a request (unread, or taken and not answered): it stays for an adopter or a restart of the provider.
 * Entries with only the field `w` are the transport's wake entries (they end a blocking read at stop), no request.
 * Guarantee: atomic, so a request added concurrently either is in the inbox (kept) or fails to find it (the
 * transport adds with NOMKSTREAM: the caller gets NoProviderError, handler not run).
 */
export const REMOVE_EMPTY_INBOX = defineScript({
  name: 'redrpc-remove-empty-inbox',
  numberOfKeys: 2,
  source: `
local n = redis.call('XLEN', KEYS[1])
if n > 16 then return 0 end
for _, entry in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do
  local fields = entry[2]
  if #fields ~= 2 or fields[1] ~= 'w' then return 0 end
end
redis.call('DEL', KEYS[1], KEYS[2])
return 1
`,
})
