/**
 * Every Redis-side operation of the lock, one atomic Lua script each. Counters are compared with tonumber (exact
 * below 2^53) and written back as the caller's decimal string, so a token is never reformatted by Lua.
 */

/**
 * ACQUIRE. KEYS: n lock keys, then their n fencing counters. ARGV: value, ttl ms, candidate token.
 * All-or-nothing on this instance: if any lock key exists nothing changes and {0, top counter} is returned.
 * Otherwise every lock key is set to value with the ttl and, when every counter is below the candidate, every
 * counter is raised to it ({1, candidate}: the token is recorded here); else counters stay and {2, top counter}
 * tells the caller which token it must outbid.
 */
export const ACQUIRE = `
local n = #KEYS / 2
local top, topText = 0, '0'
for i = n + 1, 2 * n do
  local c = redis.call('GET', KEYS[i])
  if c and tonumber(c) > top then top, topText = tonumber(c), c end
end
for i = 1, n do
  if redis.call('EXISTS', KEYS[i]) == 1 then return {0, topText} end
end
for i = 1, n do
  redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[2])
end
if top < tonumber(ARGV[3]) then
  for i = n + 1, 2 * n do redis.call('SET', KEYS[i], ARGV[3]) end
  return {1, ARGV[3]}
end
return {2, topText}
`

/**
 * RAISE. KEYS: fencing counters. ARGV: token. Every counter becomes at least the token (never lowered), so a
 * token is recorded on this instance before the lock carrying it is handed out.
 */
export const RAISE = `
local t = tonumber(ARGV[1])
for i = 1, #KEYS do
  local c = redis.call('GET', KEYS[i])
  if not c or tonumber(c) < t then redis.call('SET', KEYS[i], ARGV[1]) end
end
return 1
`

/**
 * EXTEND. KEYS: lock keys. ARGV: value, ttl ms. All-or-nothing: only when every key still holds this value are they
 * all given the new ttl (1); otherwise nothing changes (0), so an extension never revives a lost resource.
 */
export const EXTEND = `
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) ~= ARGV[1] then return 0 end
end
for i = 1, #KEYS do
  redis.call('PEXPIRE', KEYS[i], ARGV[2])
end
return 1
`

/**
 * RELEASE. KEYS: lock keys. ARGV: value, '1' to announce. Deletes only keys still holding this value (never
 * another holder's) and returns how many; with '1' each deleted key is announced on its own name as a channel, so
 * waiters wake at once. Undoing a failed attempt passes '0': nobody waits for a lock that was never granted.
 */
export const RELEASE = `
local deleted = 0
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then
    redis.call('DEL', KEYS[i])
    deleted = deleted + 1
    if ARGV[2] == '1' then redis.call('PUBLISH', KEYS[i], '') end
  end
end
return deleted
`
