import { describe, expect, it } from 'vitest'
import { HEAP_GROWING_PERCENT, heapGrowthFlag } from './heap-tuning.js'

describe('heapGrowthFlag', () => {
  it('pins the old generation growth factor for a serving process', () => {
    expect(heapGrowthFlag(['--max-semi-space-size=64'])).toBe(
      `--heap-growing-percent=${HEAP_GROWING_PERCENT}`,
    )
    expect(heapGrowthFlag([])).toBe('--heap-growing-percent=300')
  })

  it("leaves the operator's own choice on node's command line alone", () => {
    expect(heapGrowthFlag(['--heap-growing-percent=50'])).toBeNull()
    expect(heapGrowthFlag(['--max-semi-space-size=64', '--heap_growing_percent=50'])).toBeNull()
  })

  it('is not fooled by flags that only start alike', () => {
    expect(heapGrowthFlag(['--heap-growing-percentage=5', '--heap-growing'])).toBe(
      '--heap-growing-percent=300',
    )
  })
})
