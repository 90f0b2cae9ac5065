import { agentOf } from '../identity/index.js'
import { type AnyRoute, defineRoute } from '../server/routes.js'
import { REPORT_SLOT_MS, type Store } from '../store/index.js'
import { summaryQuery, summaryView } from './reports.schema.js'
import { buildSummary, checkRange, checkTimeZone, startOfLocalDay } from './summary.js'

/** Routes of reports: the supervisor's summary (admins). */
export function reportsRoutes({ store }: { store: Store }): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/reports/summary',
      tag: 'reports',
      summary:
        'Chats per local day, first-response and resolution times, satisfaction, per agent and per team, for a date range in a time zone (admin).',
      auth: 'admin',
      query: summaryQuery,
      response: summaryView,
      handler: async (req, { query }) => {
        const { tenantId } = agentOf(req)
        const tz = checkTimeZone(query.tz)
        const dates = checkRange(query.from, query.to)
        const start = startOfLocalDay(query.from, tz)
        const dayAfter = new Date(Date.parse(`${dates.at(-1)}T00:00:00Z`) + 86_400_000)
          .toISOString()
          .slice(0, 10)
        const end = startOfLocalDay(dayAfter, tz)
        const [slots, conversations, firstResponses, agents, teams] = await Promise.all([
          store.reports.slotCounts(tenantId, start, end),
          store.reports.conversations(tenantId, start, end),
          store.reports.firstResponses(tenantId, start, end),
          store.directory.agents(tenantId),
          store.directory.teams(tenantId),
        ])
        return buildSummary({
          from: query.from,
          to: query.to,
          tz,
          start,
          end,
          slotMs: REPORT_SLOT_MS,
          slots,
          conversations,
          firstResponses,
          agents: agents.map((a) => ({ id: a.id, name: a.name })),
          teams: teams.map((t) => ({ id: t.id, name: t.name })),
        })
      },
    }),
  ]
}
