import type { CallOptions } from '../options.js'
import type { CallAttempt, CallHookContext } from './types.js'

/** One attempt, filled in as it ends. */
class Attempt implements CallAttempt {
  latencyMs: number | undefined = undefined
  error: Error | undefined = undefined

  constructor(
    readonly attempt: number,
    readonly provider: string,
    readonly startedAt: number,
  ) {}
}

/** The context of a hooked call; the service client keeps its attempt fields current. */
export class CallState implements CallHookContext {
  params: unknown
  metadata: Record<string, unknown>
  timeoutMs: number | undefined
  attempt = 0
  provider: string | undefined = undefined
  deadline: number | undefined = undefined
  readonly attempts: Attempt[] = []

  constructor(
    readonly service: string,
    readonly method: string,
    params: unknown,
    readonly options: Readonly<CallOptions>,
  ) {
    this.params = params
    // A copy: hooks (the tracer's propagator among them) add keys without touching the caller's object.
    this.metadata = options.metadata && typeof options.metadata === 'object' ? { ...options.metadata } : {}
    this.timeoutMs = options.timeoutMs
  }

  /** The options the call runs with, after the hooks: their metadata (when any) and timeout. */
  callOptions(): CallOptions {
    const out: CallOptions = { ...this.options, timeoutMs: this.timeoutMs }
    if (Object.keys(this.metadata).length > 0) out.metadata = this.metadata
    else delete out.metadata
    return out
  }

  /** An attempt starts: `deadline` is when it stops waiting. */
  started(attempt: number, provider: string, startedAt: number, deadline: number): void {
    this.attempt = attempt
    this.provider = provider
    this.deadline = deadline
    this.attempts.push(new Attempt(attempt, provider, startedAt))
  }

  /** The current attempt ended. */
  ended(latencyMs: number, error: Error | undefined): void {
    const current = this.attempts[this.attempts.length - 1]
    if (!current) return
    current.latencyMs = latencyMs
    current.error = error
  }
}
