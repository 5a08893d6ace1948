import { readFileSync } from 'node:fs'

/** A TypeScript code block of a README. */
export interface CodeBlock {
  /** The README it comes from. */
  readonly readme: string
  /** The line of the README where the code starts (1-based, the line after the opening fence). */
  readonly line: number
  readonly code: string
  /** Preceded by `<!-- run -->`: run against real Redis, not only type-checked. */
  readonly run: boolean
}

const OPEN = /^(\s*)(`{3,}|~{3,})\s*(\S*)/
const RUN_MARKER = '<!-- run -->'
const TYPESCRIPT = new Set(['ts', 'typescript', 'mts', 'tsx'])

/**
 * The TypeScript blocks of a Markdown text. A fence closes only with the same character, at least as long, as
 * CommonMark has it, so a block that shows a fence inside a longer one is read whole.
 */
export function codeBlocks(markdown: string, readme: string): CodeBlock[] {
  const lines = markdown.split(/\r?\n/)
  const blocks: CodeBlock[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN.exec(lines[i] as string)
    if (!open) continue
    const [, indent = '', fence = '', info = ''] = open
    const close = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`)
    let end = i + 1
    while (end < lines.length && !close.test(lines[end] as string)) end++
    if (TYPESCRIPT.has(info.toLowerCase())) {
      const body = lines.slice(i + 1, end).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
      blocks.push({ readme, line: i + 2, code: `${body.join('\n')}\n`, run: previousNonEmpty(lines, i) === RUN_MARKER })
    }
    i = end
  }
  return blocks
}

function previousNonEmpty(lines: readonly string[], index: number): string | undefined {
  for (let i = index - 1; i >= 0; i--) {
    const line = (lines[i] as string).trim()
    if (line !== '') return line
  }
  return undefined
}

/** The TypeScript blocks of a README file. */
export function readmeBlocks(readme: string): CodeBlock[] {
  return codeBlocks(readFileSync(readme, 'utf8'), readme)
}
