import type { Redis } from 'ioredis'

/** How many times the server has run each of EVAL and EVALSHA so far (`INFO commandstats`). */
export async function scriptCommands(redis: Redis): Promise<{ eval: number; evalsha: number }> {
  const stats = await redis.info('commandstats')
  const count = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0)
  return { eval: count('eval'), evalsha: count('evalsha') }
}

let made = 0

/** Source of a script that appends ARGV[1] to the list KEYS[1]; unique per call, so no server knows it yet. */
export function pushSource(): string {
  made++
  return `-- push ${process.pid}-${made}-${Math.random()}\nreturn redis.call('RPUSH', KEYS[1], ARGV[1])`
}
