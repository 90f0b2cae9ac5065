import { z } from 'zod'
import { businessHoursSchema } from './business-hours.js'

export { idParam, okResponse } from '../server/routes.js'

const senderView = z.object({
  kind: z.enum(['visitor', 'agent', 'system']),
  id: z.string(),
  name: z.string().nullable(),
})
export const messageView = z.object({
  id: z.string(),
  conversationId: z.string(),
  seq: z.number(),
  clientMsgId: z.string(),
  sender: senderView,
  kind: z.enum(['text', 'note', 'attachment', 'event']),
  text: z.string(),
  attachment: z
    .object({ id: z.string(), fileName: z.string(), contentType: z.string(), size: z.number() })
    .nullable(),
  redactions: z.record(z.string(), z.number()),
  createdAt: z.string(),
})

export const conversationView = z.object({
  id: z.string(),
  siteId: z.string(),
  visitorId: z.string(),
  status: z.enum(['open', 'assigned', 'closed']),
  agentId: z.string().nullable(),
  teamId: z.string().nullable(),
  lastSeq: z.number(),
  visitorReadSeq: z.number(),
  agentReadSeq: z.number(),
  labels: z.array(z.string()),
  visitor: z.object({ name: z.string().nullable(), email: z.string().nullable() }),
  context: z.object({
    pageUrl: z.string().optional(),
    pageTitle: z.string().optional(),
    referrer: z.string().optional(),
    userAgent: z.string().optional(),
    timezone: z.string().optional(),
    ip: z.string().optional(),
    fields: z.record(z.string(), z.string()).optional(),
  }),
  rating: z.number().nullable(),
  ratingComment: z.string().nullable(),
  firstResponseAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  closedAt: z.string().nullable(),
})

const csv = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(z.enum(values)))

export const listConversationsQuery = z.object({
  status: csv(['open', 'assigned', 'closed']).optional(),
  assignee: z.string().max(64).optional().describe('`me`, `unassigned` or an agent id'),
  teamId: z.string().max(64).optional(),
  siteId: z.string().max(64).optional(),
  labelId: z.string().max(64).optional(),
  visitorId: z.string().max(64).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
})

export const conversationPage = z.object({
  items: z.array(conversationView),
  nextCursor: z.string().nullable(),
})

export const messagesQuery = z.object({
  afterSeq: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
})
export const messagePage = z.object({ items: z.array(messageView), lastSeq: z.number() })

export const sendMessageBody = z.object({
  clientMsgId: z.string().min(1).max(64),
  text: z.string().max(100_000),
  note: z.boolean().optional(),
})
export const messageAck = z.object({
  conversationId: z.string(),
  clientMsgId: z.string(),
  id: z.string(),
  seq: z.number(),
  createdAt: z.string(),
  duplicate: z.boolean(),
})

export const transferBody = z.object({
  agentId: z.string().max(64).optional(),
  teamId: z.string().max(64).optional(),
})
export const labelsBody = z.object({ labelIds: z.array(z.string().max(64)).max(50) })
export const attachmentParams = z.object({
  id: z.string().min(1).max(64),
  attachmentId: z.string().min(1).max(64),
})
export const uploadQuery = z.object({
  fileName: z.string().min(1).max(255),
  clientMsgId: z.string().min(1).max(64),
})
export const uploadResponse = z.object({
  attachment: z.object({ id: z.string(), fileName: z.string(), contentType: z.string(), size: z.number() }),
  ack: messageAck,
})

// ── admin: sites, canned responses, labels, offline messages ──
const origin = z
  .url()
  .refine((u) => /^https?:\/\/[^/]+$/.test(u.replace(/\/$/, '')), 'an origin is scheme://host[:port] only')
export const prechatSchema = z.object({
  enabled: z.boolean(),
  fields: z
    .array(
      z.object({
        name: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/),
        label: z.string().min(1).max(80),
        type: z.enum(['text', 'email', 'tel']),
        required: z.boolean(),
      }),
    )
    .max(10),
})
export const siteView = z.object({
  id: z.string(),
  name: z.string(),
  widgetKey: z.string(),
  allowedOrigins: z.array(z.string()),
  prechat: prechatSchema,
  businessHours: businessHoursSchema,
  snippet: z.string(),
  createdAt: z.string(),
})
export const createSiteBody = z.object({
  name: z.string().min(1).max(120),
  allowedOrigins: z.array(origin).min(1).max(50),
  prechat: prechatSchema.optional(),
  businessHours: businessHoursSchema.optional(),
})
export const updateSiteBody = createSiteBody.partial()

export const cannedView = z.object({
  id: z.string(),
  shortcut: z.string(),
  title: z.string(),
  body: z.string(),
})
export const createCannedBody = z.object({
  shortcut: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lowercase letters, digits, - and _'),
  title: z.string().min(1).max(120),
  body: z.string().min(1).max(4000),
})
export const labelView = z.object({ id: z.string(), name: z.string(), color: z.string() })
export const createLabelBody = z.object({
  name: z.string().min(1).max(60),
  color: z
    .string()
    .regex(/^#[0-9a-f]{6}$/i)
    .default('#6b7280'),
})
export const offlineMessageView = z.object({
  id: z.string(),
  siteId: z.string(),
  name: z.string(),
  email: z.string(),
  text: z.string(),
  createdAt: z.string(),
})
export const offlineMessageBody = z.object({
  name: z.string().min(1).max(120),
  email: z.email().max(254),
  text: z.string().min(1).max(100_000),
})
export const widgetKeyQuery = z.object({ key: z.string().min(1).max(64) })
export const widgetConfigView = z.object({
  siteName: z.string(),
  online: z.boolean(),
  withinBusinessHours: z.boolean(),
  prechat: prechatSchema,
  maxMessageLength: z.number(),
  maxAttachmentBytes: z.number(),
})
