import { defineScript } from '@org/redis-core'

/**
 * Every Redis-side operation of the registry, one atomic Lua script each. Time is always Redis's own clock
 * (`TIME`), read inside the script, so no client clock is ever compared with another. Redis 7 replicates scripts
 * by their effects, which is what makes reading `TIME` before writing allowed.
 *
 * Keys of every provider script, in order: alive (ZSET id -> deadline ms), providers (HASH id -> record JSON),
 * owners (HASH id -> registry id); plus service (STRING) for REGISTER; HEARTBEAT takes alive and owners of each
 * service it covers. A script's keys share the service's hash tag (on a Cluster, a single service per script).
 * Events published on the service channel are JSON: `{"type":"added"|"updated"|"removed","reason"?:...,"providers":[records]}`.
 * Each script carries only the helpers it uses: the heartbeat runs 10,000 times a second at scale.
 */

// The Redis server's clock in ms: the only clock liveness is ever judged by. replicate_commands is a no-op on
// Redis 7 and what makes TIME-before-write legal on Redis 5/6.
const NOW = `
if redis.replicate_commands then redis.replicate_commands() end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`

// Tells the service's watchers; records are already JSON, so the message is built without encoding anything.
const PUBLISH = `
local function publish(channel, kind, reason, records)
  if #records == 0 then return end
  local r = ''
  if reason then r = '"reason":"' .. reason .. '",' end
  redis.call('PUBLISH', channel, '{"type":"' .. kind .. '",' .. r .. '"providers":[' .. table.concat(records, ',') .. ']}')
end
`

// HMGET in chunks: unpack() of thousands of ids would overflow Lua's stack.
const HMGET_PRESENT = `
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
`

// Removes every provider whose deadline has passed, all its keys at once, so no reader sees a half-removed
// provider; whoever runs it first wins and tells the watchers (reason "expired"). At most 500 per call.
const SWEEP_FN = `${NOW}${PUBLISH}${HMGET_PRESENT}
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
export const REGISTER = defineScript({
  name: 'register',
  numberOfKeys: 4,
  source: `${SWEEP_FN}
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
`,
})

/**
 * Heartbeats providers held by one registry, of one or more services (more only on a single server: a Cluster
 * needs one slot per script): each deadline moves to now + ttl by the Redis clock. Costs TIME, then one HMGET and
 * one ZADD per service, whatever the number of providers. Returns one status per id, in order: `OK`; `MISSING`
 * (swept after a pause, or Redis lost its data: the caller restores it with UPSERT); `LOST` (another registry
 * holds the id now: left untouched). KEYS: alive, owners of each service. ARGV: owner, ttlMs, then per service
 * the count of ids and the ids.
 */
export const HEARTBEAT = defineScript({
  name: 'heartbeat',
  source: `${NOW}
local deadline = now_ms() + tonumber(ARGV[2])
local out = {}
local a = 3
for k = 1, #KEYS, 2 do
  local n = tonumber(ARGV[a])
  local ids = { unpack(ARGV, a + 1, a + n) }
  a = a + n + 1
  local holders = redis.call('HMGET', KEYS[k + 1], unpack(ids))
  local scores = {}
  for i, id in ipairs(ids) do
    local holder = holders[i]
    if holder == ARGV[1] then
      scores[#scores + 1] = deadline
      scores[#scores + 1] = id
      out[#out + 1] = 'OK'
    elseif holder then
      out[#out + 1] = 'LOST'
    else
      out[#out + 1] = 'MISSING'
    end
  end
  if #scores > 0 then redis.call('ZADD', KEYS[k], unpack(scores)) end
end
return out
`,
})

/**
 * Writes a provider held by this registry: with ARGV[6] = 'update' its record is replaced and watchers hear
 * `updated`; either way a provider that is gone is written again and watchers hear `added` (`RESTORED`), so a
 * heartbeat after data loss is an upsert. Counts as a heartbeat. Never touches an id another registry holds
 * (`LOST`). ARGV: id, owner, record JSON, ttlMs, channel, 'update' | 'restore'.
 */
export const UPSERT = defineScript({
  name: 'upsert',
  numberOfKeys: 3,
  source: `${NOW}${PUBLISH}
local holder = redis.call('HGET', KEYS[3], ARGV[1])
if holder and holder ~= ARGV[2] then return 'LOST' end
redis.call('ZADD', KEYS[1], now_ms() + tonumber(ARGV[4]), ARGV[1])
if holder then
  if ARGV[6] == 'update' then
    redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
    publish(ARGV[5], 'updated', nil, { ARGV[3] })
  end
  return 'OK'
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
publish(ARGV[5], 'added', nil, { ARGV[3] })
return 'RESTORED'
`,
})

/**
 * Removes a provider at once, only if this registry holds it, and tells watchers (`removed`, reason
 * `deregistered`). ARGV: id, owner, channel.
 */
export const DEREGISTER = defineScript({
  name: 'deregister',
  numberOfKeys: 3,
  source: `${PUBLISH}
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return 'NOT_HELD' end
local record = redis.call('HGET', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
if record then publish(ARGV[3], 'removed', 'deregistered', { record }) end
return 'OK'
`,
})

/**
 * Sweeps the expired, then reads the live providers: O(log n + k). Returns { removed records, live records }.
 * ARGV: channel.
 */
export const LIST = defineScript({
  name: 'list',
  numberOfKeys: 3,
  source: `${SWEEP_FN}
local now = now_ms()
local removed = sweep(KEYS[1], KEYS[2], KEYS[3], ARGV[1], now)
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
return { removed, hmget_present(KEYS[2], ids) }
`,
})

/** Only the sweep, for watchers between two full reads: O(log n) when nothing expired. Returns removed records. ARGV: channel. */
export const SWEEP = defineScript({
  name: 'sweep',
  numberOfKeys: 3,
  source: `${SWEEP_FN}
return sweep(KEYS[1], KEYS[2], KEYS[3], ARGV[1], now_ms())
`,
})

/**
 * KEYS[1] service (STRING). ARGV[1] the definition's JSON, ARGV[2] the JSON expected to be stored now ('' for none).
 * Replies 1 when it wrote the definition, else the JSON stored now ('' for none). Compare-and-set: a definition
 * replaces only the one its writer read, so two processes registering a service at once cannot both pass a check
 * made on what they read and the last one silently win.
 */
export const SET_SERVICE_IF = defineScript({
  name: 'setServiceIf',
  numberOfKeys: 1,
  source: `
local stored = redis.call('GET', KEYS[1]) or ''
if stored ~= ARGV[2] then return stored end
redis.call('SET', KEYS[1], ARGV[1])
return 1
`,
})
