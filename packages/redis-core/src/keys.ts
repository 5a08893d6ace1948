/**
 * Key building: user-given names go into keys through {@link keyPart}, which is injective, so two different names (or
 * tuples of names) can never produce one key, and leaves a usual name as written (`billing:v2` stays `billing:v2`).
 *
 * Escaped, as `%XX` (hex of the character): `%` itself, the hash-tag braces `{` `}`, and the separator `/` that
 * {@link hashTag} puts between parts. A lone UTF-16 surrogate, which UTF-8 cannot carry (it would be sent as U+FFFD
 * and collide with a real U+FFFD), is escaped as `%uXXXX`. Nothing else changes.
 *
 * A key made of escaped parts and constant text, with one {@link hashTag}, is injective and keeps its hash tag: an
 * escaped part has no `{`, so the tag opens at its own brace, and no `}`, so it closes at its own brace.
 */

/** Between the parts of a hash tag. */
export const PART_SEPARATOR = '/'

// Fast test: a usual name matches nothing here and is returned as it is. Surrogates are sent to the slow path, which
// keeps well-formed pairs (astral characters) unchanged.
const NEEDS_ESCAPE = /[%{}/\uD800-\uDFFF]/

/** One user-given name (non-empty) as a key segment; see the module comment for the guarantees. */
export function keyPart(name: string): string {
  if (name.length === 0) throw new RangeError('a key part must not be empty (an empty hash tag hashes the whole key)')
  return NEEDS_ESCAPE.test(name) ? escapeSlow(name) : name
}

/**
 * `{a/b}`: the hash tag of one or more names, escaped and joined by `/`. Every key that carries the same tag lives in
 * one Cluster slot; Redis hashes exactly the text between the braces.
 */
export function hashTag(...names: string[]): string {
  if (names.length === 0) throw new RangeError('a hash tag needs at least one part')
  let tag = keyPart(names[0]!)
  for (let i = 1; i < names.length; i++) tag += PART_SEPARATOR + keyPart(names[i]!)
  return `{${tag}}`
}

function escapeSlow(name: string): string {
  let out = ''
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (c === 0x25 || c === 0x7b || c === 0x7d || c === 0x2f) {
      out += `%${c.toString(16).toUpperCase()}`
    } else if (c >= 0xd800 && c <= 0xdbff && isLow(name.charCodeAt(i + 1))) {
      out += name[i]! + name[i + 1]!
      i++
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += `%u${c.toString(16).toUpperCase()}`
    } else {
      out += name[i]!
    }
  }
  return out
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff
}

/** Reverses {@link keyPart} (for tools and tests: reading names back out of keys). */
export function unescapeKeyPart(part: string): string {
  return part.replace(/%(u[0-9A-F]{4}|[0-9A-F]{2})/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex.startsWith('u') ? hex.slice(1) : hex, 16)),
  )
}
