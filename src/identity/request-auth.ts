import type { FastifyRequest } from 'fastify'
import { ParleyError } from '../errors/index.js'
import type { AgentContext, AuthContext, VisitorContext } from './context.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook of routes that need it; never from the body. */
    auth: AuthContext | null
  }
}

export function agentOf(req: FastifyRequest): AgentContext {
  if (req.auth?.kind !== 'agent')
    throw new ParleyError('PARLEY_ERR_AUTH_REQUIRED', 'sign in as an agent first')
  return req.auth
}

export function visitorOf(req: FastifyRequest): VisitorContext {
  if (req.auth?.kind !== 'visitor')
    throw new ParleyError('PARLEY_ERR_AUTH_REQUIRED', 'send the visitor token as a Bearer token')
  return req.auth
}

export function authOf(req: FastifyRequest): AuthContext {
  if (!req.auth) throw new ParleyError('PARLEY_ERR_AUTH_REQUIRED', 'sign in or send a visitor token')
  return req.auth
}
