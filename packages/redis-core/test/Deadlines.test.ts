import { waitFor } from '@org/testkit'
import { describe, expect, it } from 'vitest'
import { Deadlines, type Timed } from '../src/index.js'

interface Item extends Timed {
  name: string
}

function item(name: string, timeoutMs: number): Item {
  return { name, deadline: performance.now() + timeoutMs, prev: undefined, next: undefined, list: undefined }
}

describe('a deadline list expires each item at its deadline, never before', () => {
  it('expires in deadline order, across timeout lengths', async () => {
    const expired: string[] = []
    const deadlines = new Deadlines<Item>((i) => {
      expect(performance.now()).toBeGreaterThanOrEqual(i.deadline - 1)
      expired.push(i.name)
    })
    deadlines.add(item('late', 60), 60)
    deadlines.add(item('early', 20), 20)
    deadlines.add(item('middle', 40), 40)
    await waitFor(() => expired.length === 3, { timeoutMs: 2_000, what: 'three expiries' })
    expect(expired).toEqual(['early', 'middle', 'late'])
    deadlines.clear()
  })

  it('never expires an item removed in time, and forgets everything on clear()', async () => {
    const expired: string[] = []
    const deadlines = new Deadlines<Item>((i) => expired.push(i.name))
    const kept = item('kept', 30)
    const removed = item('removed', 10)
    deadlines.add(removed, 10)
    deadlines.add(kept, 30)
    deadlines.remove(removed)
    deadlines.remove(removed)
    await waitFor(() => expired.length === 1, { timeoutMs: 2_000, what: 'one expiry' })
    expect(expired).toEqual(['kept'])
    const cleared = item('cleared', 10)
    deadlines.add(cleared, 10)
    deadlines.clear()
    // A later deadline on a list of its own has passed: the cleared one would have fired by then.
    const sentinel = new Deadlines<Item>((i) => expired.push(i.name))
    sentinel.add(item('sentinel', 40), 40)
    await waitFor(() => expired.length === 2, { timeoutMs: 2_000, what: 'the sentinel' })
    expect(expired).toEqual(['kept', 'sentinel'])
  })
})
