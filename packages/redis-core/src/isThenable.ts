/**
 * True for anything with a `then` method. Lets a caller answer a plain value in the same turn and await only real
 * promises (a promise per call is measurable on a hot path).
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null | undefined)?.then === 'function'
}
