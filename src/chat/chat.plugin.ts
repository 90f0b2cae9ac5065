import { randomUUID } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import { ParleyError } from '../errors/index.js'
import type { EventStream } from '../events/index.js'
import {
  type AdminResource,
  adminChangeEvent,
  adminDeleteRoute,
  agentOf,
  authOf,
  visitorOf,
} from '../identity/index.js'
import { type AnyRoute, defineRoute } from '../server/routes.js'
import type { ConversationFilter, Store } from '../store/index.js'
import {
  attachmentParams,
  cannedView,
  conversationPage,
  conversationView,
  createCannedBody,
  createLabelBody,
  createSiteBody,
  idParam,
  labelsBody,
  labelView,
  listConversationsQuery,
  messageAck,
  messagePage,
  messagesQuery,
  offlineMessageBody,
  offlineMessageView,
  okResponse,
  sendMessageBody,
  siteView,
  transferBody,
  updateSiteBody,
  uploadQuery,
  uploadResponse,
  widgetConfigView,
  widgetKeyQuery,
} from './chat.schema.js'
import type { ChatService } from './chat-service.js'
import { type Prechat, type SiteService, siteOpenNow } from './sites.js'

export interface ChatRouteDeps {
  chat: ChatService
  sites: SiteService
  store: Store
  events: EventStream
  /** Sends a plain-text e-mail; null when no SMTP server is configured. */
  sendMail: ((mail: { to: string[]; subject: string; text: string }) => Promise<void>) | null
}

/** One transcript e-mail per conversation per this long: the endpoint cannot be used to spam. */
const TRANSCRIPT_MAIL_INTERVAL_MS = 10 * 60_000

const cursorOf = (c: { updatedAt: string; id: string }) =>
  Buffer.from(`${Date.parse(c.updatedAt)}|${c.id}`).toString('base64url')
function parseCursor(cursor: string | undefined): ConversationFilter['before'] {
  if (!cursor) return undefined
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|')
  if (!at || !id || !/^\d+$/.test(at))
    throw new ParleyError('PARLEY_ERR_BAD_REQUEST', 'the cursor is not one this API issued', { issues: [] })
  return { updatedAt: Number(at), id }
}

/** Routes of the chat capability: conversations, messages, attachments, sites, canned responses, labels, widget. */
export function chatRoutes({ chat, sites, store, events, sendMail }: ChatRouteDeps): AnyRoute[] {
  const transcriptMailed = new Map<string, number>()
  const adminChange = (
    req: FastifyRequest,
    resource: AdminResource,
    action: 'create' | 'update' | 'delete',
    resourceId: string,
  ) => events.emit(adminChangeEvent(agentOf(req), resource, action, resourceId))
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/conversations',
      tag: 'conversations',
      summary: 'List conversations the agent may see, newest activity first (keyset pagination).',
      auth: 'agent',
      query: listConversationsQuery,
      response: conversationPage,
      handler: async (req, { query }) => {
        const ctx = agentOf(req)
        const visibleTo =
          ctx.role === 'admin' ? undefined : { agentId: ctx.agentId, teamIds: await chat.teamsOf(ctx) }
        const agentId =
          query.assignee === 'me' ? ctx.agentId : query.assignee === 'unassigned' ? null : query.assignee
        const rows = await store.conversations.list({
          tenantId: ctx.tenantId,
          status: query.status,
          agentId,
          teamIds: query.teamId ? [query.teamId] : undefined,
          siteId: query.siteId,
          visitorId: query.visitorId,
          labelId: query.labelId,
          visibleTo,
          before: parseCursor(query.cursor),
          limit: query.limit + 1,
        })
        const page = rows.slice(0, query.limit)
        const items = await Promise.all(page.map((r) => chat.conversationView(r)))
        const last = items.at(-1)
        return { items, nextCursor: rows.length > query.limit && last ? cursorOf(last) : null }
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/conversations/:id',
      tag: 'conversations',
      summary: 'One conversation with its visitor panel context.',
      auth: 'agent',
      params: idParam,
      response: conversationView,
      handler: async (req, { params }) =>
        chat.conversationView(await chat.conversationFor(agentOf(req), params.id, 'read')),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/conversations/:id/messages',
      tag: 'conversations',
      summary:
        'Transcript page: messages after `afterSeq`, oldest first (internal notes included for agents). Recorded as a transcript read.',
      auth: 'agent',
      factor: 'transcript',
      params: idParam,
      query: messagesQuery,
      response: messagePage,
      handler: async (req, { params, query }) => {
        const { conversation, messages } = await chat.readTranscript(agentOf(req), params.id, {
          ...query,
          purpose: 'read',
        })
        return { items: messages, lastSeq: conversation.last_seq }
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/conversations/:id/export',
      tag: 'conversations',
      summary:
        'The whole transcript with its conversation, as JSON. Recorded as a transcript export. Agents with MFA need a code from the last 15 minutes (POST /api/v1/auth/step-up).',
      auth: 'agent',
      factor: 'recent',
      params: idParam,
      response: z.object({ conversation: conversationView, messages: z.array(messageView()) }),
      handler: async (req, { params }, reply) => {
        const ctx = agentOf(req)
        const { conversation, messages } = await chat.readTranscript(ctx, params.id, {
          afterSeq: 0,
          limit: Number.MAX_SAFE_INTEGER,
          purpose: 'export',
        })
        reply.header('content-disposition', `attachment; filename="transcript-${params.id}.json"`)
        return { conversation: await chat.conversationView(conversation), messages }
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/conversations/:id/messages',
      tag: 'conversations',
      summary:
        'Send a message or internal note (idempotent on clientMsgId). Answers after the message is stored.',
      auth: 'agent',
      params: idParam,
      body: sendMessageBody,
      response: messageAck,
      status: 201,
      handler: async (req, { params, body }) =>
        chat.acceptMessage(agentOf(req), { conversationId: params.id, ...body }),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/conversations/:id/claim',
      tag: 'conversations',
      summary: 'Take a waiting conversation.',
      auth: 'agent',
      params: idParam,
      response: conversationView,
      handler: async (req, { params }) => chat.claim(agentOf(req), params.id),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/conversations/:id/transfer',
      tag: 'conversations',
      summary: 'Transfer to an agent (online with free capacity) or to a team queue.',
      auth: 'agent',
      params: idParam,
      body: transferBody,
      response: conversationView,
      handler: async (req, { params, body }) =>
        chat.transfer(agentOf(req), params.id, { agentId: body.agentId, teamId: body.teamId }),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/conversations/:id/close',
      tag: 'conversations',
      summary: 'Close a conversation.',
      auth: 'agent',
      params: idParam,
      response: conversationView,
      handler: async (req, { params }) => chat.close(agentOf(req), params.id),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/conversations/:id/reopen',
      tag: 'conversations',
      summary: 'Reopen a closed conversation; it is assigned to the agent who reopens it.',
      auth: 'agent',
      params: idParam,
      response: conversationView,
      handler: async (req, { params }) => chat.reopen(agentOf(req), params.id),
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/v1/conversations/:id/labels',
      tag: 'conversations',
      summary: "Replace a conversation's labels.",
      auth: 'agent',
      params: idParam,
      body: labelsBody,
      response: conversationView,
      handler: async (req, { params, body }) => chat.setLabels(agentOf(req), params.id, body.labelIds),
    }),
    ...attachmentRoutes('/api/v1/conversations/:id', 'agent', chat),
    ...attachmentRoutes('/api/v1/widget/conversations/:id', 'visitor', chat),

    defineRoute({
      method: 'POST',
      url: '/api/v1/widget/conversations/:id/transcript-email',
      tag: 'widget',
      summary:
        'E-mail the transcript (as stored: redacted, without internal notes) to the visitor. Once per conversation per 10 minutes.',
      auth: 'visitor',
      params: idParam,
      body: z.object({ email: z.email().max(254) }),
      response: okResponse,
      handler: async (req, { params, body }) => {
        const ctx = visitorOf(req)
        if (!sendMail)
          throw new ParleyError('PARLEY_ERR_UNAVAILABLE', 'e-mail is not configured on this server')
        const last = transcriptMailed.get(params.id) ?? 0
        if (Date.now() - last < TRANSCRIPT_MAIL_INTERVAL_MS) {
          throw new ParleyError('PARLEY_ERR_RATE_LIMITED', 'the transcript was sent a moment ago', {
            retryAfterMs: TRANSCRIPT_MAIL_INTERVAL_MS - (Date.now() - last),
          })
        }
        const { messages } = await chat.readTranscript(ctx, params.id, {
          afterSeq: 0,
          limit: Number.MAX_SAFE_INTEGER,
          purpose: 'export',
        })
        const site = await store.directory.site(ctx.tenantId, ctx.siteId)
        transcriptMailed.set(params.id, Date.now())
        const lines = messages.map(
          (m) =>
            `[${m.createdAt.slice(0, 16).replace('T', ' ')}] ${m.sender.kind === 'visitor' ? 'You' : (m.sender.name ?? 'Agent')}: ${m.text}`,
        )
        await sendMail({
          to: [body.email],
          subject: `Your chat with ${site?.name ?? 'us'}`,
          text: [`Here is the transcript of your chat with ${site?.name ?? 'us'}.`, '', ...lines, ''].join(
            '\n',
          ),
        })
        return { ok: true as const }
      },
    }),

    // ── sites ──
    defineRoute({
      method: 'GET',
      url: '/api/v1/sites',
      tag: 'sites',
      summary: 'Sites of the tenant, each with its widget snippet.',
      auth: 'agent',
      response: z.object({ items: z.array(siteView) }),
      handler: async (req) => ({
        items: (await store.directory.sites(agentOf(req).tenantId)).map((s) => sites.present(s)),
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/sites',
      tag: 'sites',
      summary: 'Create a site (admin).',
      auth: 'admin',
      body: createSiteBody,
      response: siteView,
      status: 201,
      handler: async (req, { body }) => {
        const ctx = agentOf(req)
        return sites.present(await sites.create(ctx, ctx.tenantId, body))
      },
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/v1/sites/:id',
      tag: 'sites',
      summary: 'Change a site: name, allowed origins, pre-chat form, business hours (admin).',
      auth: 'admin',
      params: idParam,
      body: updateSiteBody,
      response: siteView,
      handler: async (req, { params, body }) =>
        sites.present(await sites.update(agentOf(req), params.id, body)),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/sites/:id',
      tag: 'sites',
      summary: 'Delete a site; its widget stops working at once (admin).',
      auth: 'admin',
      params: idParam,
      response: okResponse,
      handler: async (req, { params }) => {
        await sites.remove(agentOf(req), params.id)
        return { ok: true as const }
      },
    }),

    // ── canned responses ──
    defineRoute({
      method: 'GET',
      url: '/api/v1/canned-responses',
      tag: 'canned responses',
      summary: 'Canned responses (the console offers them on `/`).',
      auth: 'agent',
      response: z.object({ items: z.array(cannedView) }),
      handler: async (req) => ({ items: await store.content.cannedResponses(agentOf(req).tenantId) }),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/canned-responses',
      tag: 'canned responses',
      summary: 'Create a canned response (admin).',
      auth: 'admin',
      body: createCannedBody,
      response: cannedView,
      status: 201,
      handler: async (req, { body }) => {
        const ctx = agentOf(req)
        const id = randomUUID()
        await uniqueOrConflict(
          () => store.content.insertCanned({ id, tenantId: ctx.tenantId, ...body }),
          'shortcut',
        )
        adminChange(req, 'canned_response', 'create', id)
        return { id, ...body }
      },
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/v1/canned-responses/:id',
      tag: 'canned responses',
      summary: 'Change a canned response (admin).',
      auth: 'admin',
      params: idParam,
      body: createCannedBody.partial(),
      response: okResponse,
      handler: async (req, { params, body }) => {
        const ok = await uniqueOrConflict(
          () => store.content.updateCanned(agentOf(req).tenantId, params.id, body),
          'shortcut',
        )
        if (!ok)
          throw new ParleyError('PARLEY_ERR_NOT_FOUND', 'canned response not found', {
            resource: 'canned_response',
          })
        adminChange(req, 'canned_response', 'update', params.id)
        return { ok: true as const }
      },
    }),
    adminDeleteRoute({
      url: '/api/v1/canned-responses/:id',
      tag: 'canned responses',
      summary: 'Delete a canned response (admin).',
      resource: 'canned_response',
      noun: 'canned response',
      events,
      remove: (tenantId, id) => store.content.deleteCanned(tenantId, id),
    }),

    // ── labels ──
    defineRoute({
      method: 'GET',
      url: '/api/v1/labels',
      tag: 'labels',
      summary: 'Labels for conversations.',
      auth: 'agent',
      response: z.object({ items: z.array(labelView) }),
      handler: async (req) => ({ items: await store.content.labels(agentOf(req).tenantId) }),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/labels',
      tag: 'labels',
      summary: 'Create a label (admin).',
      auth: 'admin',
      body: createLabelBody,
      response: labelView,
      status: 201,
      handler: async (req, { body }) => {
        const id = randomUUID()
        await uniqueOrConflict(
          () => store.content.insertLabel({ id, tenantId: agentOf(req).tenantId, ...body }),
          'name',
        )
        adminChange(req, 'label', 'create', id)
        return { id, ...body }
      },
    }),
    adminDeleteRoute({
      url: '/api/v1/labels/:id',
      tag: 'labels',
      summary: 'Delete a label and remove it from conversations (admin).',
      resource: 'label',
      noun: 'label',
      events,
      remove: (tenantId, id) => store.content.deleteLabel(tenantId, id),
    }),

    // ── offline messages ──
    defineRoute({
      method: 'GET',
      url: '/api/v1/offline-messages',
      tag: 'offline messages',
      summary: 'Messages visitors left while nobody was online, newest first.',
      auth: 'agent',
      query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
      response: z.object({ items: z.array(offlineMessageView) }),
      handler: async (req, { query }) => {
        const ctx = agentOf(req)
        const items = await store.content.offlineMessages(ctx.tenantId, query.limit)
        return { items: items.map((m) => ({ ...m, createdAt: new Date(m.createdAt).toISOString() })) }
      },
    }),

    // ── widget (public, authenticated by widget key + page Origin) ──
    defineRoute({
      method: 'GET',
      url: '/api/v1/widget/config',
      tag: 'widget',
      summary: "The widget's settings and whether an agent is available now.",
      auth: 'none',
      query: widgetKeyQuery,
      response: widgetConfigView,
      handler: async (req, { query }) => {
        // Browsers send no Origin on a same-origin GET (Parley's own demo page); what this answers
        // is public anyway. A cross-origin page always sends one, and it must be allowed.
        const site = await sites.siteForWidget(query.key, req.headers.origin, { allowMissingOrigin: true })
        const withinBusinessHours = siteOpenNow(site)
        const online = withinBusinessHours && (await chat.router.anyAgentAvailable(site.tenant_id))
        return {
          siteName: site.name,
          online,
          withinBusinessHours,
          prechat: JSON.parse(site.prechat) as Prechat,
          maxMessageLength: chat.limits.maxMessageLength,
          maxAttachmentBytes: chat.limits.maxAttachmentBytes,
        }
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/widget/offline-messages',
      tag: 'widget',
      summary: 'Leave a message when no agent is online or outside business hours.',
      auth: 'none',
      query: widgetKeyQuery,
      body: offlineMessageBody,
      response: z.object({ id: z.string() }),
      status: 201,
      handler: async (req, { query, body }) => {
        const site = await sites.siteForWidget(query.key, req.headers.origin)
        if (body.text.trim().length > chat.limits.maxMessageLength) {
          throw new ParleyError(
            'PARLEY_ERR_MESSAGE_TOO_LONG',
            `message exceeds ${chat.limits.maxMessageLength} characters`,
            {
              limit: chat.limits.maxMessageLength,
            },
          )
        }
        const id = randomUUID()
        await store.content.insertOfflineMessage({
          id,
          tenantId: site.tenant_id,
          siteId: site.id,
          name: await chat.redactText(site.tenant_id, body.name),
          email: body.email,
          text: await chat.redactText(site.tenant_id, body.text.trim()),
        })
        events.emit({
          type: 'offline_message.received',
          tenant: site.tenant_id,
          actor: { kind: 'visitor', id: 'anonymous' },
          origin: {
            channel: 'http',
            node: chat.bus.nodeId,
            ip: req.ip,
            userAgent: req.headers['user-agent'] ?? '',
          },
          offlineMessageId: id,
          siteId: site.id,
          length: body.text.length,
        })
        return { id }
      },
    }),
  ]
}

function messageView() {
  return messagePage.shape.items.element
}

/** Turns a unique-constraint failure into a typed conflict naming the field. */
async function uniqueOrConflict<T>(fn: () => Promise<T>, field: string): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    const text = String((err as Error)?.message ?? '')
    if (/unique|duplicate key/i.test(text))
      throw new ParleyError('PARLEY_ERR_CONFLICT', `another record already uses this ${field}`, { field })
    throw err
  }
}

function attachmentRoutes(prefix: string, auth: 'agent' | 'visitor', chat: ChatService): AnyRoute[] {
  const who = auth === 'agent' ? agentOf : visitorOf
  return [
    defineRoute({
      method: 'POST',
      url: `${prefix}/attachments`,
      tag: 'attachments',
      summary: `Upload a file (${auth}): raw bytes as the body; the type is checked by content.`,
      auth,
      params: idParam,
      query: uploadQuery,
      rawBody: { contentType: 'application/octet-stream' },
      response: uploadResponse,
      status: 201,
      handler: async (req, { params, query }) => {
        if (!Buffer.isBuffer(req.body)) {
          throw new ParleyError(
            'PARLEY_ERR_BAD_REQUEST',
            'send the file as Content-Type: application/octet-stream',
            { issues: [] },
          )
        }
        return chat.uploadAttachment(who(req), params.id, {
          fileName: query.fileName,
          clientMsgId: query.clientMsgId,
          data: req.body,
        })
      },
    }),
    defineRoute({
      method: 'GET',
      url: `${prefix}/attachments/:attachmentId`,
      tag: 'attachments',
      summary: `Download an attachment (${auth}); always served as a download, never rendered inline.`,
      auth,
      ...(auth === 'agent' ? { factor: 'transcript' as const } : {}),
      params: attachmentParams,
      response: z.any(),
      handler: async (req, { params }, reply) => {
        const file = await chat.downloadAttachment(authOf(req), params.id, params.attachmentId)
        reply
          .header(
            'content-type',
            file.contentType === 'text/plain' ? 'text/plain; charset=utf-8' : file.contentType,
          )
          .header(
            'content-disposition',
            `attachment; filename="${file.fileName}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
          )
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header('cache-control', 'private, no-store')
        return reply.send(file.data)
      },
    }),
  ]
}
