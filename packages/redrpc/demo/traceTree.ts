/** The little of a finished span the tree needs (an OpenTelemetry SDK `ReadableSpan` has it all). */
export interface SpanLine {
  name: string
  kind: number
  spanId: string
  parentSpanId: string | undefined
  startMs: number
  durationMs: number
  attributes: Record<string, unknown>
  failed: boolean
}

/** OpenTelemetry's SpanKind numbers, as the tree prints them. */
const KINDS = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER']

/** Attributes worth a glance on each line, by span name (the RPC ones are in a call's name already). */
const SHOWN: Record<string, string[]> = {
  'redrpc.lock.wait': ['redrpc.lock.resources', 'redrpc.lock.attempts', 'error.type'],
  'redrpc.lock.hold': ['redrpc.lock.resources', 'redrpc.lock.fencing_token'],
}
const SHOWN_ON_CALLS = ['redrpc.provider', 'redrpc.attempts', 'error.type']

/**
 * One trace as an indented tree, children under their parent in start order: the caller's CLIENT span, the
 * provider's SERVER span under it, the lock's wait and hold under that. Spans whose parent is not in the list are
 * roots.
 */
export function traceTree(spans: readonly SpanLine[]): string[] {
  const ids = new Set(spans.map((s) => s.spanId))
  const children = (parent: string | undefined) =>
    spans
      .filter((s) => (parent === undefined ? !s.parentSpanId || !ids.has(s.parentSpanId) : s.parentSpanId === parent))
      .sort((a, b) => a.startMs - b.startMs)
  const lines: string[] = []
  const walk = (span: SpanLine, prefix: string, last: boolean, root: boolean) => {
    const branch = root ? '' : last ? '└─ ' : '├─ '
    lines.push(`${prefix}${branch}${describeSpan(span)}`)
    const kids = children(span.spanId)
    const next = root ? prefix : `${prefix}${last ? '   ' : '│  '}`
    for (const [i, kid] of kids.entries()) walk(kid, next, i === kids.length - 1, false)
  }
  for (const root of children(undefined)) walk(root, '', true, true)
  return lines
}

function describeSpan(span: SpanLine): string {
  const shown = (SHOWN[span.name] ?? SHOWN_ON_CALLS)
    .filter((k) => span.attributes[k] !== undefined)
    .map((k) => {
      const value = span.attributes[k]
      return `${k.replace(/^redrpc\./, '')}=${Array.isArray(value) ? value.join(',') : String(value)}`
    })
  const kind = KINDS[span.kind] ?? String(span.kind)
  const status = span.failed ? ' ERROR' : ''
  return `${span.name} [${kind}] ${span.durationMs.toFixed(1)} ms${status}${shown.length ? `  ${shown.join(' ')}` : ''}`
}
