import { z } from 'zod'

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:MM')
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const

/** Opening hours of a site in its own time zone; `null` means always open. */
export const businessHoursSchema = z
  .object({
    timezone: z.string().refine(isTimeZone, 'unknown IANA time zone'),
    days: z.partialRecord(z.enum(DAYS), z.array(z.tuple([hhmm, hhmm])).max(6)),
  })
  .nullable()

export type BusinessHours = z.infer<typeof businessHoursSchema>

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>()

/** Whether `at` falls inside the opening hours, evaluated in the site's time zone. */
export function isWithinBusinessHours(hours: BusinessHours, at: Date): boolean {
  if (hours === null) return true
  let fmt = formatters.get(hours.timezone)
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: hours.timezone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
    formatters.set(hours.timezone, fmt)
  }
  const parts = Object.fromEntries(fmt.formatToParts(at).map((p) => [p.type, p.value]))
  const day = String(parts.weekday).toLowerCase().slice(0, 3) as (typeof DAYS)[number]
  const minutes = Number(parts.hour) * 60 + Number(parts.minute)
  const toMin = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5))
  return (hours.days[day] ?? []).some(([from, to]) => minutes >= toMin(from) && minutes < toMin(to))
}
