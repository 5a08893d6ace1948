import { createHash } from 'node:crypto'

/**
 * One atomic Redis operation written in Lua, with the name it is known by in messages and docs. Define each once, as
 * a module constant, with a header comment stating its KEYS, ARGV, replies and guarantee.
 */
export interface Script {
  /** A short name, e.g. `'ackAndDelete'`. */
  readonly name: string
  /** How many of a call's arguments are keys; `undefined` when it varies per call (then every call says). */
  readonly numberOfKeys: number | undefined
  /** The Lua source, sent in full (EVAL) on the first use per connection. */
  readonly source: string
  /** SHA1 of the source, by which the server knows it afterwards (EVALSHA). */
  readonly sha: string
}

/** What {@link defineScript} takes. */
export interface ScriptDefinition {
  name: string
  /** Omit for a script whose number of keys varies per call. */
  numberOfKeys?: number
  source: string
}

/** Makes a {@link Script}: computes its SHA once, at definition. */
export function defineScript(definition: ScriptDefinition): Script {
  const { name, numberOfKeys, source } = definition
  return Object.freeze({ name, numberOfKeys, source, sha: createHash('sha1').update(source).digest('hex') })
}

/** True for the error of an EVALSHA the server does not know (first use after its cache was flushed or lost). */
export function isNoScript(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('NOSCRIPT')
}
