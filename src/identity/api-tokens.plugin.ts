import { z } from 'zod'
import { type AnyRoute, defineRoute, idParam } from '../server/routes.js'
import { TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS } from './api-scopes.js'
import type { ApiTokenService } from './api-tokens.js'
import {
  apiTokenView,
  createApiTokenBody,
  createdApiToken,
  suspendApiTokenBody,
} from './api-tokens.schema.js'
import { agentOf } from './request-auth.js'

/**
 * Routes of API tokens (admins signed in with a session; a token never manages tokens): list,
 * create (the secret is returned once), revoke, suspend and unsuspend.
 */
export function apiTokenRoutes({ tokens }: { tokens: ApiTokenService }): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/api-tokens',
      tag: 'api tokens',
      summary: 'API tokens of the tenant with scopes, expiry, last use and status (never the secret).',
      auth: 'admin',
      response: z.object({ items: z.array(apiTokenView) }),
      handler: async (req) => ({ items: await tokens.list(agentOf(req).tenantId) }),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/api-tokens',
      tag: 'api tokens',
      summary: `Create an API token with scopes and an expiry (1 to ${TOKEN_MAX_DAYS} days, default ${TOKEN_DEFAULT_DAYS}). The secret (\`parley_<id>_<secret>\`) is returned once; only its hash is kept.`,
      auth: 'admin',
      body: createApiTokenBody,
      response: createdApiToken,
      status: 201,
      handler: async (req, { body }) => {
        const { token, secret } = await tokens.create(agentOf(req), body)
        return { ...token, secret }
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/api-tokens/:id/revoke',
      tag: 'api tokens',
      summary: 'Revoke an API token for good: its next request answers 401 PARLEY_ERR_TOKEN_REVOKED.',
      auth: 'admin',
      params: idParam,
      response: apiTokenView,
      handler: async (req, { params }) => tokens.revoke(agentOf(req), params.id),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/api-tokens/:id/suspend',
      tag: 'api tokens',
      summary: 'Suspend an API token with a reason (401 PARLEY_ERR_TOKEN_SUSPENDED until unsuspended).',
      auth: 'admin',
      params: idParam,
      body: suspendApiTokenBody,
      response: apiTokenView,
      handler: async (req, { params, body }) => tokens.setSuspended(agentOf(req), params.id, body.reason),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/api-tokens/:id/unsuspend',
      tag: 'api tokens',
      summary: 'Lift the suspension of an API token (an admin reviewed it).',
      auth: 'admin',
      params: idParam,
      response: apiTokenView,
      handler: async (req, { params }) => tokens.setSuspended(agentOf(req), params.id, null),
    }),
  ]
}
