/**
 * Every Redis-side operation of the registry, one atomic Lua script each. Time is always Redis's own clock
 * (`TIME`), read inside the script, so no client clock is ever compared with another. Redis 7 replicates scripts
 * by their effects, which is what makes reading `TIME` before writing allowed.
 *
 * Keys of every provider script, in order: alive (ZSET id -> deadline ms), providers (HASH id -> record JSON),
 * owners (HASH id -> registry id); plus service (STRING) for REGISTER. All share the service's hash tag.
 * Events published on the service channel are JSON: `{"type":"added"|"updated"|"removed","reason"?:...,"providers":[records]}`.
 */

// Shared by every provider script. `sweep` removes every provider whose deadline has passed, all its keys at once,
// so no reader sees a half-removed provider; whoever runs it first wins and tells the watchers.
const PRELUDE = `
if redis.replicate_commands then redis.replicate_commands() end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function publish(channel, kind, reason, records)
  if #records == 0 then return end
  local r = ''
  if reason then r = '"reason":"' .. reason .. '",' end
  redis.call('PUBLISH', channel, '{"type":"' .. kind .. '",' .. r .. '"providers":[' .. table.concat(records, ',') .. ']}')
end
local function hmget_present(key, ids)
  local out = {}
  for i = 1, #ids, 500 do
    local chunk = {}
    for j = i, math.min(i + 499, #ids) do chunk[#chunk + 1] = ids[j] end
    local got = redis.call('HMGET', key, unpack(chunk))
    for _, rec in ipairs(got) do if rec then out[#out + 1] = rec end end
  end
  return out
end
local function sweep(alive, providers, owners, channel, now)
  local ids = redis.call('ZRANGEBYSCORE', alive, '-inf', now, 'LIMIT', 0, 500)
  if #ids == 0 then return {} end
  local records = hmget_present(providers, ids)
  redis.call('ZREM', alive, unpack(ids))
  redis.call('HDEL', providers, unpack(ids))
  redis.call('HDEL', owners, unpack(ids))
  publish(channel, 'removed', 'expired', records)
  return records
end
`

/**
 * Registers a provider. Guarantees: nothing is written when the service is not registered (`NO_SERVICE`) or the id
 * is held by a live provider of another registry (`DUPLICATE`); otherwise the provider is alive until
 * now + ttl (Redis clock) and watchers hear `added`.
 * ARGV: id, owner, record JSON, ttlMs, channel.
 */
export const REGISTER = `${PRELUDE}
local now = now_ms()
sweep(KEYS[1], KEYS[2], KEYS[3], ARGV[5], now)
if redis.call('EXISTS', KEYS[4]) == 0 then return 'NO_SERVICE' end
local holder = redis.call('HGET', KEYS[3], ARGV[1])
if holder and holder ~= ARGV[2] then return 'DUPLICATE' end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
publish(ARGV[5], 'added', nil, { ARGV[3] })
return 'OK'
`

/**
 * A heartbeat, which is an upsert: moves the deadline to now + ttl; if the provider is gone (swept after a pause,
 * or Redis lost its data) it is written again and watchers hear `added` (`RESTORED`). With ARGV[6] = '1' it is an
 * update too: the record is replaced and watchers hear `updated`. Never takes over an id held by another registry
 * (`LOST`). ARGV: id, owner, record JSON, ttlMs, channel, replace record ('0' | '1').
 */
export const HEARTBEAT = `${PRELUDE}
local now = now_ms()
sweep(KEYS[1], KEYS[2], KEYS[3], ARGV[5], now)
local holder = redis.call('HGET', KEYS[3], ARGV[1])
if holder and holder ~= ARGV[2] then return 'LOST' end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[1])
if holder then
  if ARGV[6] == '1' then
    redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
    publish(ARGV[5], 'updated', nil, { ARGV[3] })
  end
  return 'OK'
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
publish(ARGV[5], 'added', nil, { ARGV[3] })
return 'RESTORED'
`

/**
 * Removes a provider at once, only if this registry holds it, and tells watchers (`removed`, reason
 * `deregistered`). ARGV: id, owner, channel.
 */
export const DEREGISTER = `${PRELUDE}
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return 'NOT_HELD' end
local record = redis.call('HGET', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
if record then publish(ARGV[3], 'removed', 'deregistered', { record }) end
return 'OK'
`

/**
 * Sweeps the expired, then reads the live providers: O(log n + k). Returns { removed records, live records }.
 * ARGV: channel.
 */
export const LIST = `${PRELUDE}
local now = now_ms()
local removed = sweep(KEYS[1], KEYS[2], KEYS[3], ARGV[1], now)
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
return { removed, hmget_present(KEYS[2], ids) }
`

/** Only the sweep, for watchers between two full reads: O(log n) when nothing expired. Returns removed records. ARGV: channel. */
export const SWEEP = `${PRELUDE}
return sweep(KEYS[1], KEYS[2], KEYS[3], ARGV[1], now_ms())
`
