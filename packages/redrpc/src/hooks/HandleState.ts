import type { NormalizedMethod, TransportContext } from '../methods.js'
import type { HandleHookContext, LockTrace } from './types.js'

/** A lock-protected method's lock, filled in by `runLocked` as it is waited for, held and released. */
export class LockState implements LockTrace {
  acquiredAt: number | undefined = undefined
  releasedAt: number | undefined = undefined
  fencingToken: bigint | undefined = undefined
  attempts: number | undefined = undefined
  error: unknown = undefined
  lost = false
  readonly waitStartedAt = performance.now()

  constructor(readonly resources: readonly string[]) {}
}

/** Where `runLocked` reports the lock of a hooked handler run. */
export interface LockSink {
  lock: LockState | undefined
}

/** The context of a hooked handler run. */
export class HandleState implements HandleHookContext, LockSink {
  params: unknown
  lock: LockState | undefined = undefined
  readonly requestId: string
  readonly attempt: number
  readonly deadline: number
  readonly metadata: Readonly<Record<string, unknown>>
  readonly method: string

  constructor(
    readonly service: string,
    /** The method run (the provider's own view, for its core step; hooks see `method`, its name). */
    readonly spec: NormalizedMethod,
    readonly provider: string,
    params: unknown,
    /** The transport's context of the request (the provider's core step reads it). */
    readonly call: TransportContext,
  ) {
    this.method = spec.name
    this.params = params
    this.requestId = call.requestId
    this.attempt = call.attempt
    this.deadline = call.deadline
    this.metadata = call.metadata
  }

  /** Read through: the transport makes the signal only when someone asks for it. */
  get signal(): AbortSignal {
    return this.call.signal
  }
}
