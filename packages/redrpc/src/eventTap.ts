import type { RedRpcEvents } from './events.js'

/**
 * Sees every event a `RedRpc` emits, whether anyone listens or not, without being a listener (so it does not turn on
 * the per-call events, which are emitted only when listened to). What logging and metrics are built on.
 */
export type EventTap = <K extends keyof RedRpcEvents>(event: K, args: RedRpcEvents[K]) => void
