import { describe, expect, it } from 'vitest'
import { buildCorpus, scoreCorpus } from './corpus.js'
import { compilePolicy, DEFAULT_POLICY } from './policy.js'
import { scanText } from './scan.js'

// The bars of docs/protect.md on a reduced corpus (a different seed from the benchmark's), so an
// accuracy regression fails CI. `npm run bench:protect` runs the full corpus.
describe('accuracy on the labelled corpus', () => {
  const policy = compilePolicy(DEFAULT_POLICY)
  const score = scoreCorpus(buildCorpus(4_000, 7), (t) => scanText(t, policy).findings)

  it('finds every valid card number', () => {
    const cards = score.categories.card_number!
    expect(cards.labels).toBeGreaterThan(200)
    expect(cards.found).toBe(cards.labels)
  })
  it('finds at least 99% of every other category', () => {
    for (const [type, c] of Object.entries(score.categories)) {
      if (c.labels === 0) continue
      expect(c.found / c.labels, type).toBeGreaterThanOrEqual(0.99)
    }
  })
  it('flags at most 0.5% of hard negatives', () => {
    expect(score.hardNegatives).toBeGreaterThan(500)
    expect(score.hardNegativesFlagged / score.hardNegatives).toBeLessThanOrEqual(0.005)
  })
  it('leaves no labelled value unredacted', () => {
    expect(score.unredactedLabels).toBe(0)
  })
})
