import { z } from 'zod'
import { API_SCOPES, TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS } from './api-scopes.js'

/** A token as admins see it: never the secret, nor its hash. */
export const apiTokenView = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.enum(API_SCOPES)),
  status: z.enum(['active', 'expired', 'revoked', 'suspended']),
  /** The admin who created it. */
  createdBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  lastUsedAt: z.string().nullable(),
  lastUsedIp: z.string().nullable(),
  revokedAt: z.string().nullable(),
  suspendedAt: z.string().nullable(),
  /** An admin's id, or `system` for an anomaly response. */
  suspendedBy: z.string().nullable(),
  suspendedReason: z.string().nullable(),
})
export type ApiTokenView = z.infer<typeof apiTokenView>
export type ApiTokenStatus = ApiTokenView['status']

export const createApiTokenBody = z.strictObject({
  name: z.string().trim().min(1).max(120),
  scopes: z.array(z.enum(API_SCOPES)).min(1).max(API_SCOPES.length),
  expiresInDays: z.number().int().min(1).max(TOKEN_MAX_DAYS).default(TOKEN_DEFAULT_DAYS),
})

/** The answer to a creation: the view plus the secret, this once. */
export const createdApiToken = apiTokenView.extend({ secret: z.string() })

export const suspendApiTokenBody = z.strictObject({ reason: z.string().trim().min(1).max(500) })
