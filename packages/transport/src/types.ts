/** What a handler learns about the call it serves. */
export interface HandlerContext {
  /** Unique id of the call, the same on every delivery of it. */
  readonly requestId: string
  /** When the caller stops waiting, on this process' `performance.now()` clock (ms). */
  readonly deadline: number
  /** Aborts when the deadline passes, the caller cancels, or the server stops without draining. */
  readonly signal: AbortSignal
  /** 1 on the first delivery; higher when the caller retries or the call is delivered again after a provider crash. */
  readonly attempt: number
  /** What the caller sent as `metadata` (an empty object when nothing). */
  readonly metadata: Readonly<Record<string, unknown>>
  /** The method called. */
  readonly method: string
}

/** Serves one method: its resolved value is the caller's result, what it throws reaches the caller as RemoteError. */
export type Handler<P = unknown, R = unknown> = (params: P, ctx: HandlerContext) => R | Promise<R>
