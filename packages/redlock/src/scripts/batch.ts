import { defineScript } from '@org/redis-core'
import { ACQUIRE } from './acquire.js'
import { EXTEND } from './extend.js'
import { FAST_ACQUIRE } from './fastAcquire.js'
import { FAST_RELEASE } from './fastRelease.js'
import { LEAVE } from './leave.js'
import type { Operation } from './Operation.js'
import { PASS } from './pass.js'
import { QUEUE_INCLUDES } from './queue.js'
import { RAISE } from './raise.js'
import { RELEASE } from './release.js'
import { RENEW } from './renew.js'
import { TRANSFER } from './transfer.js'

const OPERATIONS: readonly Operation[] = [
  ACQUIRE,
  FAST_ACQUIRE,
  RAISE,
  EXTEND,
  TRANSFER,
  RELEASE,
  FAST_RELEASE,
  RENEW,
  PASS,
  LEAVE,
]

const functions = OPERATIONS.map((op) => `local function ${op.name}(keys, argv)${op.body}end\n`).join('')
const table = OPERATIONS.map((op) => `${op.code} = ${op.name}`).join(', ')

/**
 * batch: many operations of independent locks in one call (one command, one write, one reply per server).
 *
 * KEYS: every operation's keys, in order.
 * ARGV: count, then (code, key count, arg count) per operation, then every operation's args in order.
 * Reply: one reply per operation, in order; a failing operation yields an error reply in its slot.
 *
 * Guarantee: the operations run in the order given, each with the guarantee of its own script; one that fails does
 * not stop the others.
 */
export const BATCH = defineScript({
  name: 'batch',
  source: `${QUEUE_INCLUDES}${functions}local ops = { ${table} }
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
`,
})
