/** A number for a table cell: '-' when there is none. */
export function num(n: number | null | undefined): string {
  return n === null || n === undefined ? '-' : String(n)
}

/** A duration for people: 850 ms, 12.3 s, 4 min. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-'
  if (ms < 1_000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`
  return `${Math.round(ms / 60_000)} min`
}

/** An element with a class and text, or child nodes. */
export function el(tag: string, className = '', ...children: (Node | string)[]): HTMLElement {
  const node = document.createElement(tag)
  if (className) node.className = className
  node.append(...children)
  return node
}
