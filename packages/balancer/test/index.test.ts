import { describe, expect, it } from 'vitest'
import { packageName } from '../src/index.js'

describe('@org/balancer', () => {
  it('exports its name', () => {
    expect(packageName).toBe('@org/balancer')
  })
})
