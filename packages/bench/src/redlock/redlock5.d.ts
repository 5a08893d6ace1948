/**
 * redlock@5.0.0-beta.2 ships typings its `exports` map does not expose to moduleResolution Bundler; this declares
 * the part the benchmark uses.
 */
declare module 'redlock' {
  import type { EventEmitter } from 'node:events'
  import type { Redis } from 'ioredis'

  interface Lock {
    release(): Promise<unknown>
  }

  export default class Redlock extends EventEmitter {
    constructor(clients: Redis[], settings?: { retryDelay?: number; retryJitter?: number; retryCount?: number })
    acquire(
      resources: string[],
      duration: number,
      settings?: { retryDelay?: number; retryJitter?: number; retryCount?: number },
    ): Promise<Lock>
  }
}
