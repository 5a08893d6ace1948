/**
 * What the RedRpc codec accepts, decided by one walk over the value before it is encoded. JSON would silently change
 * many values (a function dropped, `NaN` made `null`, a `Date` made a string, a `Map` made `{}`...); the walk refuses
 * those instead, so a value either arrives exactly as sent or is not sent at all.
 *
 * Accepted: `null`, booleans, strings, finite numbers (`-0` included), bigints, dense arrays of accepted values, and
 * plain objects (prototype `Object.prototype` or `null`) whose own enumerable string-keyed properties are accepted
 * (non-enumerable ones are not part of the value, as for JSON and `structuredClone`); a property whose value is
 * `undefined` is accepted and left out (it arrives absent, as JSON does).
 * Refused: functions, symbols (as values or as enumerable keys), `undefined` or a hole in an array, `NaN` and
 * `±Infinity`, objects of any other prototype (`Date`, `Map`, `Set`, `RegExp`, typed arrays, `Buffer`, `Error`, class
 * instances, boxed primitives), and cycles.
 */

/** The value is plain JSON: `JSON.stringify` carries it exactly. */
export const PLAIN = 0
/** The value holds a bigint, a `-0` or a key starting with `$`: it needs the tagged form (see `codec.ts`). */
export const TAGGED = 1

/** Why a value was refused, and where: `steps` leads from the root to it (filled in while the walk unwinds). */
export class Refusal {
  readonly steps: (string | number)[] = []
  constructor(readonly reason: string) {}
}

const isEnumerable = Object.prototype.propertyIsEnumerable

/**
 * The objects on the path from the root to the current value, to tell a cycle from a shared reference. Module-level
 * so a walk allocates no list of its own; the walk is synchronous and restores the length it found.
 */
const ancestors: object[] = []

/**
 * Walks `value` and returns PLAIN or TAGGED; throws a `Refusal` for anything the codec cannot carry exactly. The path
 * of a refusal is built only when one happens: each level adds its step as the exception passes through it, so an
 * accepted value costs no strings and no trail.
 *
 * Most values are small and plain, so a quick walk (`quickMode`) decides them first, without the cycle list and the
 * exception frames the careful walk needs; anything it cannot vouch for (a value to refuse, or one nested deeper
 * than QUICK_DEPTH, which a cycle always is) is walked again carefully, which refuses it with its path or accepts it.
 * The quick walk accepts only what the careful one accepts, so the answer is the careful walk's either way.
 */
export function scan(value: unknown): number {
  const mode = quickMode(value, 0)
  if (mode !== UNSURE) return mode
  const depth = ancestors.length
  try {
    return scanValue(value)
  } finally {
    ancestors.length = depth
  }
}

/** The quick walk's answer for a value it leaves to the careful walk. */
const UNSURE = 2
/** Deeper than this the quick walk stops: it keeps no list of ancestors, so depth is how it tells a cycle. */
const QUICK_DEPTH = 64

/** PLAIN or TAGGED by the same rules as `scanValue`, or UNSURE: no allocation beyond `Object.keys`, no exception. */
function quickMode(value: unknown, depth: number): number {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return PLAIN
    case 'number':
      if (!Number.isFinite(value)) return UNSURE
      return value === 0 && 1 / value < 0 ? TAGGED : PLAIN
    case 'bigint':
    case 'undefined':
      return TAGGED
    case 'object':
      if (value === null) return PLAIN
      return depth < QUICK_DEPTH ? quickObjectMode(value, depth + 1) : UNSURE
    default:
      return UNSURE
  }
}

function quickObjectMode(obj: object, depth: number): number {
  const proto = Object.getPrototypeOf(obj)
  let mode = PLAIN
  if (Array.isArray(obj)) {
    if (proto !== Array.prototype) return UNSURE
    for (let i = 0; i < obj.length; i++) {
      const item: unknown = obj[i]
      if (item === undefined) return UNSURE
      mode |= quickMode(item, depth)
      if (mode & UNSURE) return UNSURE
    }
    return mode
  }
  if (proto !== Object.prototype && proto !== null) return UNSURE
  if (Object.getOwnPropertySymbols(obj).length > 0) return UNSURE
  const record = obj as Record<string, unknown>
  const keys = Object.keys(record)
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string
    if (key.charCodeAt(0) === 36 /* $ */) mode |= TAGGED
    const item = record[key]
    if (item === undefined) continue
    mode |= quickMode(item, depth)
    if (mode & UNSURE) return UNSURE
  }
  return mode
}

function scanValue(value: unknown): number {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return PLAIN
    case 'number':
      if (!Number.isFinite(value)) throw new Refusal(`is ${value}, which JSON would turn into null`)
      return value === 0 && 1 / value < 0 ? TAGGED : PLAIN
    case 'bigint':
      return TAGGED
    case 'object':
      return value === null ? PLAIN : scanObject(value)
    case 'undefined':
      // Only a root can reach here (objects skip such properties, arrays refuse them): it travels tagged.
      return TAGGED
    default:
      throw new Refusal(`is a ${typeof value}, which cannot be sent`)
  }
}

function scanObject(obj: object): number {
  if (ancestors.includes(obj)) throw new Refusal('refers back to an object that contains it (a cycle)')
  const proto = Object.getPrototypeOf(obj)
  if (Array.isArray(obj)) {
    if (proto !== Array.prototype) throw new Refusal(`is a ${describeClass(obj)}, which would arrive as an array`)
    ancestors.push(obj)
    const mode = scanArray(obj)
    ancestors.pop()
    return mode
  }
  if (proto !== Object.prototype && proto !== null) {
    throw new Refusal(`is a ${describeClass(obj)}, which would arrive as a plain object or a string`)
  }
  ancestors.push(obj)
  const mode = scanProperties(obj as Record<string, unknown>)
  ancestors.pop()
  return mode
}

function scanArray(array: unknown[]): number {
  let mode = PLAIN
  for (let i = 0; i < array.length; i++) {
    const item = array[i]
    try {
      if (item === undefined) {
        throw new Refusal(i in array ? 'is undefined, which JSON would turn into null' : 'is a hole in the array')
      }
      mode |= scanValue(item)
    } catch (err) {
      if (err instanceof Refusal) err.steps.unshift(i)
      throw err
    }
  }
  return mode
}

function scanProperties(obj: Record<string, unknown>): number {
  // Symbol keys are rare: one call that usually returns an empty list. Only enumerable ones are part of the value.
  const symbols = Object.getOwnPropertySymbols(obj)
  for (const symbol of symbols) {
    if (isEnumerable.call(obj, symbol)) throw new Refusal(`has a symbol key ${String(symbol)}, which cannot be sent`)
  }
  let mode = PLAIN
  // Object.keys: the own enumerable string keys, what JSON (and structuredClone) take as the object's data.
  const keys = Object.keys(obj)
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string
    if (key.charCodeAt(0) === 36 /* $ */) mode = TAGGED
    const item = obj[key]
    if (item === undefined) continue
    try {
      mode |= scanValue(item)
    } catch (err) {
      if (err instanceof Refusal) err.steps.unshift(key)
      throw err
    }
  }
  return mode
}

function describeClass(obj: object): string {
  const name = (obj as { constructor?: { name?: unknown } }).constructor?.name
  return typeof name === 'string' && name !== '' ? name : 'object with a custom prototype'
}

/** `params.items[2].f`, `result["a b"]`: the path of a refused value, from the name of its root. */
export function pathOf(root: string, steps: readonly (string | number)[]): string {
  let path = root
  for (const step of steps) {
    if (typeof step === 'number') path += `[${step}]`
    else path += /^[A-Za-z_$][\w$]*$/.test(step) ? `.${step}` : `[${JSON.stringify(step)}]`
  }
  return path
}
