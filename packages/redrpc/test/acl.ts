/**
 * The smallest Redis ACL the stack needs, as the README documents it (section "Redis ACL"). Kept here once, so the
 * test runs exactly what the README says.
 */
export const RPC_COMMANDS =
  '+info +ping +quit +eval +evalsha +time +get +set +del +exists +sadd +srem +smembers ' +
  '+hset +hget +hmget +hdel +zadd +zrem +zrangebyscore +pexpire ' +
  '+xadd +xread +xreadgroup +xgroup|create +xautoclaim +xack +xdel +xlen +xrange +xtrim ' +
  '+publish +subscribe +unsubscribe'

export const LOCK_COMMANDS =
  '+info +ping +quit +eval +evalsha +time +get +set +del +exists +append +incrby ' +
  '+hset +hget +hdel +hincrby +zadd +zrem +zcard +zrange +zrangebyscore +zscore +pexpire ' +
  '+publish +subscribe +unsubscribe'

/** What read-write locks, semaphores (`lock: { read | write }`, `permits`) and `redlock.inspect` need beyond it. */
export const FAMILY_COMMANDS = '+zremrangebyscore +zrank +zcount +pttl'

/** `ACL SETUSER` arguments for a user of the RPC Redis in `namespace`. */
export function rpcAcl(namespace: string, password: string): string[] {
  return [
    'on',
    `>${password}`,
    'resetkeys',
    `~${namespace}:*`,
    'resetchannels',
    `&${namespace}:*`,
    '-@all',
    ...RPC_COMMANDS.split(' '),
  ]
}

/** `ACL SETUSER` arguments for a user of a Redlock instance with key prefix `prefix`. */
export function lockAcl(prefix: string, password: string, family = false): string[] {
  return [
    'on',
    `>${password}`,
    'resetkeys',
    `~${prefix}*`,
    'resetchannels',
    `&${prefix}*`,
    '-@all',
    ...LOCK_COMMANDS.split(' '),
    ...(family ? FAMILY_COMMANDS.split(' ') : []),
  ]
}
