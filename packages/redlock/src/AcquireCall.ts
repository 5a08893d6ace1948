/**
 * One acquire as each of its attempts and its place in the queues in Redis see it, for a plain lock (`AttemptCall`)
 * and a shared hold (`ShareCall`) alike: the same for every attempt, but for the place it has in line.
 */
export interface AcquireCall {
  readonly ttl: number
  readonly requestTimeout: number
  /** The acquire's waiter id: its name in the queues in Redis. */
  readonly id: string
  /** The lease a refused attempt queues the waiter with (ms); 0 when the acquire will not wait. */
  readonly lease: number
  /** The waiter's settled ticket; 0 until known. */
  ticket: number
  /** Attempts sent so far. */
  tries: number
}
