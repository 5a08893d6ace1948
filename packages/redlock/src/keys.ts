/**
 * Key names. The resource sits in a hash tag so that its lock key, its fencing counter and its release channel share
 * one Cluster slot, whatever the prefix.
 */
export function lockKey(prefix: string, resource: string): string {
  return `${prefix}{${resource}}`
}

/** The fencing counter of a resource; it never expires, so tokens keep growing across locks. */
export function fenceKey(prefix: string, resource: string): string {
  return `${lockKey(prefix, resource)}:fence`
}

/** The pub/sub channel a release of the resource is announced on (the lock key itself). */
export const releaseChannel = lockKey
