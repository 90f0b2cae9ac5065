import { z } from 'zod'

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')

export const summaryQuery = z.object({
  from: date.describe('First local date of the range (inclusive)'),
  to: date.describe('Last local date of the range (inclusive)'),
  tz: z.string().min(1).max(64).default('UTC').describe('IANA time zone the days are counted in'),
})

const seconds = z.number().nullable()
const durationView = z.object({
  count: z.number(),
  avgSeconds: seconds,
  p50Seconds: seconds,
  p90Seconds: seconds,
})
const groupFields = {
  name: z.string(),
  conversations: z.number(),
  closed: z.number(),
  firstResponseP50Seconds: seconds,
  resolutionP50Seconds: seconds,
  satisfactionAverage: z.number().nullable(),
  satisfactionCount: z.number(),
}

export const summaryView = z.object({
  from: z.string(),
  to: z.string(),
  tz: z.string(),
  days: z.array(
    z.object({
      date: z.string(),
      conversations: z.number(),
      closed: z.number(),
      offlineMessages: z.number(),
    }),
  ),
  firstResponse: durationView,
  resolution: durationView,
  satisfaction: z.object({
    count: z.number(),
    average: z.number().nullable(),
    distribution: z.object({ 1: z.number(), 2: z.number(), 3: z.number(), 4: z.number(), 5: z.number() }),
  }),
  perAgent: z.array(z.object({ agentId: z.string(), ...groupFields })),
  perTeam: z.array(z.object({ teamId: z.string(), ...groupFields })),
})

export type SummaryView = z.infer<typeof summaryView>
