import { describe, expect, it } from 'vitest'
import { type SpanLine, traceTree } from '../demo/traceTree.js'

const span = (over: Partial<SpanLine> & Pick<SpanLine, 'name' | 'spanId'>): SpanLine => ({
  kind: 0,
  parentSpanId: undefined,
  startMs: 0,
  durationMs: 1,
  attributes: {},
  failed: false,
  ...over,
})

describe('pnpm demo --trace prints a trace as a tree', () => {
  it('puts the server span under the client span and the lock spans under the server span, in start order', () => {
    const lines = traceTree([
      span({
        name: 'redrpc.lock.hold',
        spanId: 'h',
        parentSpanId: 's',
        startMs: 5,
        attributes: { 'redrpc.lock.fencing_token': '7' },
      }),
      span({ name: 'svc/m', spanId: 's', parentSpanId: 'c', kind: 1, startMs: 2 }),
      span({ name: 'svc/m', spanId: 'c', kind: 2, startMs: 1, attributes: { 'redrpc.provider': 'p-1' } }),
      span({ name: 'redrpc.lock.wait', spanId: 'w', parentSpanId: 's', startMs: 3, failed: true }),
    ])
    expect(lines).toEqual([
      'svc/m [CLIENT] 1.0 ms  provider=p-1',
      '└─ svc/m [SERVER] 1.0 ms',
      '   ├─ redrpc.lock.wait [INTERNAL] 1.0 ms ERROR',
      '   └─ redrpc.lock.hold [INTERNAL] 1.0 ms  lock.fencing_token=7',
    ])
  })
})
