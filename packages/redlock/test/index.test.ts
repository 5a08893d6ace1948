import { describe, expect, it } from 'vitest'
import { packageName } from '../src/index.js'

describe('@org/redlock', () => {
  it('exports its name', () => {
    expect(packageName).toBe('@org/redlock')
  })
})
