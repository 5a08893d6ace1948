/** A hook of either side: context in, `next` to go on. */
type Hook<C> = (ctx: C, next: () => Promise<unknown>) => unknown

/**
 * Runs `core` inside `hooks`, the first outermost. A hook that throws synchronously rejects like one that rejects,
 * so callers always get a promise. Only used when at least one hook is registered: the path without hooks never
 * comes here (no closure, no promise of its own).
 */
export function runHooks<C>(hooks: readonly Hook<C>[], ctx: C, core: (ctx: C) => unknown): Promise<unknown> {
  const step = (i: number): Promise<unknown> => {
    try {
      const hook = hooks[i]
      return Promise.resolve(hook === undefined ? core(ctx) : hook(ctx, () => step(i + 1)))
    } catch (err) {
      return Promise.reject(err)
    }
  }
  return step(0)
}
