import { z } from 'zod'

export const searchQuery = z.object({
  q: z.string().min(1).max(200).describe('Words to find, all of them (AND); case and accents do not matter'),
  limit: z.coerce.number().int().min(1).max(50).default(20),
  cursor: z.string().max(100).optional().describe('`nextCursor` of the previous page'),
})

export const searchResultView = z.object({
  conversationId: z.string(),
  messageId: z.string(),
  seq: z.number(),
  senderKind: z.enum(['visitor', 'agent', 'system']),
  sentAt: z.string(),
  snippet: z.string(),
})

export const searchPage = z.object({
  results: z.array(searchResultView),
  nextCursor: z.string().nullable(),
})
