import { ParleyError } from '../errors/index.js'
import { agentOf } from '../identity/index.js'
import { type AnyRoute, defineRoute } from '../server/routes.js'
import { searchPage, searchQuery } from './search.schema.js'
import type { SearchService } from './search-service.js'

const MESSAGE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** The cursor is the last message id of a page; anything else was not issued by this API. */
function parseCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined
  const id = Buffer.from(cursor, 'base64url').toString()
  if (!MESSAGE_ID.test(id))
    throw new ParleyError('PARLEY_ERR_BAD_REQUEST', 'the cursor is not one this API issued', { issues: [] })
  return id
}

/** Routes of search: transcript search for agents. */
export function searchRoutes({ search }: { search: SearchService }): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/search',
      tag: 'search',
      summary:
        'Messages (internal notes included) holding every word of `q`, newest first, in conversations the agent may read. Recorded as a transcript search (never the query text).',
      auth: 'agent',
      factor: 'transcript',
      query: searchQuery,
      response: searchPage,
      handler: async (req, { query }) =>
        search.search(agentOf(req), query.q, { limit: query.limit, before: parseCursor(query.cursor) }),
    }),
  ]
}
