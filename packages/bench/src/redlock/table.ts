import type { Contender } from './contenders.js'

/** A target: a ratio to the best peer, an absolute bound, or an exact value for our column. */
export type Target =
  | { ratio: number }
  | { below: number }
  | { equals: number }
  | { atLeast: number }
  | { atMost: number }

/** One line of the table. */
export interface Row {
  metric: string
  higherIsBetter: boolean
  target?: Target
  values: [Contender, number][]
}

function format(n: number): string {
  if (Number.isInteger(n)) return String(n)
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)
}

function describeTarget(target: Target | undefined, higherIsBetter: boolean): string {
  if (!target) return ''
  if ('below' in target) return `< ${target.below}`
  if ('equals' in target) return `= ${target.equals}`
  if ('atLeast' in target) return `>= ${target.atLeast}`
  if ('atMost' in target) return `<= ${target.atMost}`
  return higherIsBetter ? `>= ${target.ratio}x` : `<= ${target.ratio}x`
}

function met(target: Target | undefined, ours: number, ratio: number, higherIsBetter: boolean): boolean | undefined {
  if (!target) return undefined
  if ('below' in target) return ours < target.below
  if ('equals' in target) return ours === target.equals
  if ('atLeast' in target) return ours >= target.atLeast
  if ('atMost' in target) return ours <= target.atMost
  return higherIsBetter ? ratio >= target.ratio : ratio <= target.ratio
}

/** Prints a Markdown table (ours, each peer, ratio to the best peer, target, met); returns whether all targets hold. */
export function printTable(rows: Row[]): boolean {
  const names = [...new Set(rows.flatMap((r) => r.values.map(([c]) => c.name)))]
  const header = ['metric', ...names, 'ours / best peer', 'target', 'met']
  const lines = [header, header.map(() => '---')]
  let allMet = true
  for (const row of rows) {
    const ours = row.values.find(([c]) => c.ours)?.[1] ?? 0
    const peers = row.values.filter(([c]) => !c.ours).map(([, v]) => v)
    const best = row.higherIsBetter ? Math.max(...peers) : Math.min(...peers)
    const ratio = best === 0 ? Number.POSITIVE_INFINITY : ours / best
    const ok = met(row.target, ours, ratio, row.higherIsBetter)
    if (ok === false) allMet = false
    const cells = names.map((n) => {
      const v = row.values.find(([c]) => c.name === n)?.[1]
      return v === undefined ? '' : format(v)
    })
    const ratioText = Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : '-'
    lines.push([
      row.metric,
      ...cells,
      ratioText,
      describeTarget(row.target, row.higherIsBetter),
      ok === undefined ? '' : ok ? 'yes' : 'NO',
    ])
  }
  console.log(lines.map((l) => `| ${l.join(' | ')} |`).join('\n'))
  console.log(allMet ? '\nall targets met' : '\nSOME TARGETS NOT MET')
  return allMet
}
