import { describe, expect, it } from 'vitest'
import { poissonLogTail, SeasonalBaseline } from './baseline.js'

const H = 3_600_000
const START = Date.UTC(2026, 2, 2)

describe('seasonal baseline', () => {
  it('learns hour-of-day and weekend shape and follows slow growth', () => {
    const b = new SeasonalBaseline()
    const truth = (h: number) => {
      const hour = h % 24
      const weekend = Math.floor(h / 24) % 7 >= 5 ? 0.4 : 1
      return (hour >= 9 && hour < 17 ? 100 : 10) * weekend * (1 + h / (24 * 60))
    }
    const days = 28
    for (let h = 0; h < days * 24; h++) b.learnHour(START + h * H, Math.round(truth(h)))
    for (const h of [days * 24 + 12, days * 24 + 3, (days + 5) * 24 + 12]) {
      const ratio = b.expectedHour(START + h * H) / truth(h)
      expect(ratio).toBeGreaterThan(0.75)
      expect(ratio).toBeLessThan(1.25)
    }
  })

  it('does not learn an attack hour as normal', () => {
    const b = new SeasonalBaseline()
    for (let h = 0; h < 14 * 24; h++) b.learnHour(START + h * H, 20)
    b.learnHour(START + 14 * 24 * H, 5000)
    expect(b.expectedHour(START + 15 * 24 * H)).toBeLessThan(40)
  })

  it('computes Poisson upper tails in the far tail', () => {
    expect(Math.exp(poissonLogTail(10, 1))).toBeCloseTo(1.1142547e-7, 12)
    expect(poissonLogTail(2, 5)).toBeGreaterThan(Math.log(0.4))
    expect(poissonLogTail(5000, 100)).toBeLessThan(-1000)
  })
})
