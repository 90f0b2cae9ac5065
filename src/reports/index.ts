/** Reports for supervisors: the summary of a date range (docs/search-and-reports.md). */

/** HTTP route of reports (`GET /api/v1/reports/summary`). */
export { reportsRoutes } from './reports.plugin.js'
export type { SummaryView } from './reports.schema.js'
/** The rules: local-day bucketing, ranges, percentiles and the summary itself (pure). */
export type { DurationStats, GroupSummary, RatingStats, SummaryInput } from './summary.js'
export {
  bucketByLocalDate,
  buildSummary,
  checkRange,
  checkTimeZone,
  datesBetween,
  durationStats,
  localDateOf,
  MAX_REPORT_DAYS,
  percentile,
  ratingStats,
  startOfLocalDay,
} from './summary.js'
