import { describe, expect, it } from 'vitest'
import { packageName } from '../src/index.js'

describe('@org/redrpc', () => {
  it('exports its name', () => {
    expect(packageName).toBe('@org/redrpc')
  })
})
