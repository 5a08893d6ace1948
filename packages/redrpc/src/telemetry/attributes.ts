/** `rpc.system` of every span and metric (OpenTelemetry semantic conventions for RPC). */
export const RPC_SYSTEM = 'redrpc'

/** The name of the tracer and the meter. */
export const INSTRUMENTATION = '@org/redrpc'

/** `error.type` of a failure: its stable `code` when it has one (RedRpc's and the transport's errors do), else its class. */
export function errorType(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code === 'string' && code !== '') return code
  return err instanceof Error ? err.name : typeof err
}

/** `performance.now()` ms as epoch ms, the time input every OpenTelemetry SDK reads the same way. */
export function epochMs(monotonicMs: number): number {
  return performance.timeOrigin + monotonicMs
}
