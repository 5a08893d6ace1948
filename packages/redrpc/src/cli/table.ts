/** Renders rows as an aligned text table with a header line; an empty list prints `(none)` under the header. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  const body = rows.length === 0 ? ['(none)'] : rows.map(line)
  return [line(headers), ...body].join('\n')
}

/** JSON that also carries bigints (fencing tokens): as numbers when they fit a safe integer, else decimal strings. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? plainNumber(v) : v), indent) ?? 'undefined'
}

/** A bigint or a decimal string (as Redis returns counters) as a number when that loses nothing, else a string. */
export function plainNumber(value: bigint | string): number | string {
  const n = Number(value)
  return Number.isSafeInteger(n) && String(n) === value.toString() ? n : value.toString()
}
