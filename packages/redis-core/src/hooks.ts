/** A hook: the operation's context in, `next` to go on (it resolves to the operation's result). */
export type Hook<C> = (ctx: C, next: () => Promise<unknown>) => unknown

/** What the hooks wrap: the operation itself, given the (possibly changed) context. */
export type Core<C> = (ctx: C) => unknown

/** Hooks composed into one function: runs `core` inside them, always returning a promise. */
export type Dispatch<C> = (ctx: C, core: Core<C>) => Promise<unknown>

/**
 * Composes `hooks` (the first outermost) into one {@link Dispatch}, once per change of the list rather than per
 * operation: a run then allocates one `next` closure per hook, and `Promise.resolve` returns a native promise as it
 * is (no extra tick). A hook that throws synchronously rejects like one that rejects. Undefined for no hooks, so the
 * path without hooks checks one field and never comes here.
 */
export function composeHooks<C>(hooks: readonly Hook<C>[]): Dispatch<C> | undefined {
  if (hooks.length === 0) return undefined
  let run: Dispatch<C> = runCore
  for (let i = hooks.length - 1; i >= 0; i--) {
    const hook = hooks[i] as Hook<C>
    const inner = run
    run = (ctx, core) => {
      try {
        return Promise.resolve(hook(ctx, () => inner(ctx, core)))
      } catch (err) {
        return Promise.reject(err)
      }
    }
  }
  return run
}

function runCore<C>(ctx: C, core: Core<C>): Promise<unknown> {
  try {
    return Promise.resolve(core(ctx))
  } catch (err) {
    return Promise.reject(err)
  }
}
