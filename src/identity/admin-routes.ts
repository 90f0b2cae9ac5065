import { ParleyError } from '../errors/index.js'
import type { EventStream } from '../events/index.js'
import { type AnyRoute, defineRoute, idParam, okResponse } from '../server/routes.js'
import { type AdminResource, adminChangeEvent } from './context.js'
import { agentOf } from './request-auth.js'

/**
 * The admin DELETE route every admin resource has: remove within the caller's tenant, answer
 * not-found for anything else, and emit the `admin.change` event.
 */
export function adminDeleteRoute(spec: {
  url: string
  tag: string
  summary: string
  resource: AdminResource
  noun: string
  events: EventStream
  remove: (tenantId: string, id: string) => Promise<boolean>
}): AnyRoute {
  return defineRoute({
    method: 'DELETE',
    url: spec.url,
    tag: spec.tag,
    summary: spec.summary,
    auth: 'admin',
    params: idParam,
    response: okResponse,
    handler: async (req, { params }) => {
      const ctx = agentOf(req)
      if (!(await spec.remove(ctx.tenantId, params.id))) {
        throw new ParleyError('PARLEY_ERR_NOT_FOUND', `${spec.noun} not found`, { resource: spec.resource })
      }
      spec.events.emit(adminChangeEvent(ctx, spec.resource, 'delete', params.id))
      return { ok: true as const }
    },
  })
}
