import { defineOperation } from './Operation.js'

/**
 * release: deletes a lock's keys.
 *
 * KEYS: lock keys. ARGV: value. Reply: how many keys were deleted.
 *
 * Guarantee: deletes only keys still holding this value, with the waiter mark or not, never another holder's. A key
 * that carried the waiter mark is announced on its own name as a channel (PUBLISH), so waiters elsewhere wake at
 * once; an uncontended release publishes nothing: a GET and a DEL.
 */
export const RELEASE = defineOperation(
  'release',
  'd',
  `
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
`,
)
