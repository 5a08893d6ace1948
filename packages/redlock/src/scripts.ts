/**
 * Every Redis-side operation of the lock. Each is the body of a Lua function of (keys, argv), run atomically, alone
 * (ACQUIRE, RAISE, EXTEND, RELEASE) or many in one call (BATCH). Counters are compared as Lua numbers (exact below
 * 2^53) and written as the caller's decimal string or by INCR, so a token is never reformatted by Lua.
 */

/**
 * acquire(keys: n lock keys then their n fencing counters (resources of one slot share a counter: a key may be
 * listed twice, which changes nothing below); argv: value, ttl ms, reserve (tokens to record, left out
 * when 1, one argument less on the common path)).
 * All-or-nothing on this instance: if a lock key exists, 0 is returned and that key's value gets the waiter mark
 * '+' (once; the ttl stays), which tells its holder's release to announce itself. Otherwise every lock
 * key is set to value with the ttl, and the counters become one common value c = (highest counter) + reserve, which
 * is returned: the tokens c - reserve + 1 .. c are above every counter this instance had. The caller takes them when
 * a quorum returned the same c (a quorum of a past lock overlaps it, so they exceed every token issued before);
 * otherwise it raises a quorum to the highest c in a second round. Counters are only ever raised, never lowered.
 * (The common single-resource path is two cheap calls, SET NX and INCRBY, and its reply one integer.)
 */
const ACQUIRE_BODY = `
  local n = #keys / 2
  local reserve = argv[3] or '1'
  if n == 1 then
    if redis.call('SET', keys[1], argv[1], 'NX', 'PX', argv[2]) then return redis.call('INCRBY', keys[2], reserve) end
    local held = redis.call('GET', keys[1])
    if string.byte(held, -1) ~= 43 then redis.call('APPEND', keys[1], '+') end
    return 0
  end
  for i = 1, n do
    local held = redis.call('GET', keys[i])
    if held then
      if string.byte(held, -1) ~= 43 then redis.call('APPEND', keys[i], '+') end
      return 0
    end
  end
  for i = 1, n do redis.call('SET', keys[i], argv[1], 'PX', argv[2]) end
  local top = 0
  for i = n + 1, 2 * n do
    local c = tonumber(redis.call('GET', keys[i]) or '0')
    if c > top then top = c end
  end
  local common = string.format('%d', top + tonumber(reserve))
  for i = n + 1, 2 * n do redis.call('SET', keys[i], common) end
  return tonumber(common)
`

/**
 * raise(keys: fencing counters; argv: token). Every counter becomes at least the token (never lowered), so a
 * token is recorded on this instance before the lock carrying it is handed out.
 */
const RAISE_BODY = `
  local t = tonumber(argv[1])
  for i = 1, #keys do
    local c = redis.call('GET', keys[i])
    if not c or tonumber(c) < t then redis.call('SET', keys[i], argv[1]) end
  end
  return 1
`

/**
 * extend(keys: lock keys; argv: value, ttl ms). All-or-nothing: only when every key still holds this value (marked
 * or not) are they all given the new ttl (1); otherwise nothing changes (0), so an extension never revives a lost resource.
 */
const EXTEND_BODY = `
  local marked = argv[1] .. '+'
  for i = 1, #keys do
    local v = redis.call('GET', keys[i])
    if v ~= argv[1] and v ~= marked then return 0 end
  end
  for i = 1, #keys do
    redis.call('PEXPIRE', keys[i], argv[2])
  end
  return 1
`

/**
 * transfer(keys: n lock keys then their n fencing counters; argv: old value, new value, ttl ms, ceiling).
 * Hands a held lock to its next holder in the same process without letting it go: only when every key still holds
 * the old value (marked or not) are they all set to the new value with the new ttl, keeping a waiter mark, and the
 * counters raised to at least the ceiling (1). Otherwise the keys still holding the old value are deleted and announced (0): the instance then holds
 * nothing of either holder, as after a release.
 */
const TRANSFER_BODY = `
  local n = #keys / 2
  local marked = argv[1] .. '+'
  local olds = {}
  for i = 1, n do
    olds[i] = redis.call('GET', keys[i])
    if olds[i] ~= argv[1] and olds[i] ~= marked then
      for j = 1, n do
        local v = redis.call('GET', keys[j])
        if v == argv[1] or v == marked then
          redis.call('DEL', keys[j])
          redis.call('PUBLISH', keys[j], '')
        end
      end
      return 0
    end
  end
  for i = 1, n do
    if olds[i] == marked then
      redis.call('SET', keys[i], argv[2] .. '+', 'PX', argv[3])
    else
      redis.call('SET', keys[i], argv[2], 'PX', argv[3])
    end
  end
  local t = tonumber(argv[4])
  for i = n + 1, 2 * n do
    local c = redis.call('GET', keys[i])
    if not c or tonumber(c) < t then redis.call('SET', keys[i], argv[4]) end
  end
  return 1
`

/**
 * release(keys: lock keys; argv: value). Deletes only keys still holding this value, marked or not (never another
 * holder's) and returns how many. A key that carried the waiter mark is announced on its own name as a channel, so
 * waiters elsewhere wake at once; an uncontended release publishes nothing.
 */
const RELEASE_BODY = `
  local deleted = 0
  for i = 1, #keys do
    local v = redis.call('GET', keys[i])
    if v == argv[1] then
      redis.call('DEL', keys[i])
      deleted = deleted + 1
    elseif v == argv[1] .. '+' then
      redis.call('DEL', keys[i])
      deleted = deleted + 1
      redis.call('PUBLISH', keys[i], '')
    end
  end
  return deleted
`

/** A body as a named Lua function of (keys, argv), for BATCH. */
function fn(name: string, body: string): string {
  return `local function ${name}(keys, argv)${body}end\n`
}

/**
 * A body as a script of its own: run inline on KEYS and ARGV, without defining and calling a function, which costs
 * the server measurably on every call of the sequential hot path.
 */
function alone(body: string): string {
  return `local keys, argv = KEYS, ARGV${body}`
}

/** ACQUIRE: acquire() above, alone. */
export const ACQUIRE = alone(ACQUIRE_BODY)

/** RAISE: raise() above, alone. */
export const RAISE = alone(RAISE_BODY)

/** EXTEND: extend() above, alone. */
export const EXTEND = alone(EXTEND_BODY)

/** TRANSFER: transfer() above, alone. */
export const TRANSFER = alone(TRANSFER_BODY)

/** RELEASE: release() above, alone. */
export const RELEASE = alone(RELEASE_BODY)

/** The code of each operation in a BATCH. */
export const OPS = { acquire: 'a', raise: 'r', extend: 'e', transfer: 't', release: 'd' } as const

/**
 * BATCH: many operations of independent locks in one call, run in the order given, each with the guarantee of its
 * own function above. argv: count, then (code, key count, arg count) per operation, then every operation's args;
 * keys: every operation's keys in order. Returns one reply per operation; a failing operation yields an error
 * reply in its slot and does not stop the others.
 */
export const BATCH = `${fn('acquire', ACQUIRE_BODY)}${fn('raise', RAISE_BODY)}${fn('extend', EXTEND_BODY)}${fn('transfer', TRANSFER_BODY)}${fn('release', RELEASE_BODY)}
local ops = { a = acquire, r = raise, e = extend, t = transfer, d = release }
local count = tonumber(ARGV[1])
local results = {}
local k, a = 1, 3 * count + 2
for i = 1, count do
  local h = 2 + (i - 1) * 3
  local op, nk, na = ops[ARGV[h]], tonumber(ARGV[h + 1]), tonumber(ARGV[h + 2])
  local keys, argv = {}, {}
  for j = 1, nk do keys[j] = KEYS[k]; k = k + 1 end
  for j = 1, na do argv[j] = ARGV[a]; a = a + 1 end
  local ok, reply = pcall(op, keys, argv)
  if ok then results[i] = reply else results[i] = { err = tostring(reply) } end
end
return results
`
