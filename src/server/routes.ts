import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { ParleyError } from '../errors/index.js'

/** `:id` of the resources whose ids Parley issues (UUIDs). */
export const idParam = z.object({ id: z.string().min(1).max(64) })
/** The answer of an action that returns nothing else. */
export const okResponse = z.object({ ok: z.literal(true) })

/**
 * One description per route: the zod schemas that validate a request are also the ones
 * the OpenAPI document is generated from, and the response schema filters what leaves.
 */
export interface RouteSpec<
  P extends z.ZodType,
  Q extends z.ZodType,
  B extends z.ZodType,
  R extends z.ZodType,
> {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'
  url: string
  summary: string
  tag: string
  auth: 'none' | 'agent' | 'admin' | 'visitor'
  params?: P
  query?: Q
  body?: B
  response: R
  status?: number
  /**
   * What the session's second factor must show (docs/mfa.md): `transcript`, no step-up pending
   * (transcript reads, search, attachments); `recent`, also a code within 15 minutes when the
   * agent has MFA (export, reveal decisions). Otherwise 401 PARLEY_ERR_STEP_UP_REQUIRED.
   */
  factor?: 'transcript' | 'recent'
  /** Raw request bodies (attachments) skip JSON parsing. */
  rawBody?: { contentType: string }
  handler: (
    req: FastifyRequest,
    input: { params: z.infer<P>; query: z.infer<Q>; body: z.infer<B> },
    reply: FastifyReply,
  ) => Promise<z.infer<R>>
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds routes of every shape
export type AnyRoute = RouteSpec<any, any, any, any>

export function defineRoute<
  P extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
  B extends z.ZodType = z.ZodUndefined,
  R extends z.ZodType = z.ZodType,
>(spec: RouteSpec<P, Q, B, R>): RouteSpec<P, Q, B, R> {
  return spec
}

function parseOrThrow<T extends z.ZodType>(schema: T | undefined, value: unknown, where: string): z.infer<T> {
  if (!schema) return undefined as z.infer<T>
  const r = schema.safeParse(value)
  if (!r.success) {
    const issues = r.error.issues.map((i) => ({
      path: [where, ...i.path.map(String)].join('.'),
      message: i.message,
    }))
    throw new ParleyError(
      'PARLEY_ERR_BAD_REQUEST',
      `invalid ${where}: ${issues[0]?.path} ${issues[0]?.message}`,
      { issues },
    )
  }
  return r.data
}

/** Mounts routes on a Fastify scope; authentication hooks are given per auth kind. */
export function mountRoutes(
  app: FastifyInstance,
  routes: readonly AnyRoute[],
  authenticate: (req: FastifyRequest, kind: AnyRoute['auth']) => Promise<void>,
  requireFactor: (
    req: FastifyRequest,
    need: NonNullable<AnyRoute['factor']>,
  ) => Promise<void> = async () => {},
): void {
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      handler: async (req, reply) => {
        await authenticate(req, route.auth)
        if (route.factor) await requireFactor(req, route.factor)
        const input = {
          params: parseOrThrow(route.params, req.params, 'params'),
          query: parseOrThrow(route.query, req.query, 'query'),
          body: parseOrThrow(route.body, req.body, 'body'),
        }
        const result = await route.handler(req, input, reply)
        if (reply.sent) return reply
        // The response schema is the last filter: fields it does not name never leave.
        const out = route.response.parse(result)
        reply.code(route.status ?? 200)
        return out
      },
    })
  }
}

/** OpenAPI 3.1 generated from the same zod schemas that validate requests. */
export function openApiDocument(
  routes: readonly AnyRoute[],
  info: { title: string; version: string },
  /** The API-token scope a route accepts, when tokens may call it. */
  tokenScope: (route: AnyRoute) => string | undefined = () => undefined,
) {
  const paths: Record<string, Record<string, unknown>> = {}
  const toJson = (s: z.ZodType, io: 'input' | 'output') =>
    z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' })
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z]+)/g, '{$1}')
    const parameters: unknown[] = []
    for (const [where, schema] of [
      ['path', r.params],
      ['query', r.query],
    ] as const) {
      if (!schema) continue
      const json = toJson(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] }
      for (const [name, prop] of Object.entries(json.properties ?? {})) {
        parameters.push({
          name,
          in: where,
          required: where === 'path' || (json.required ?? []).includes(name),
          schema: prop,
        })
      }
    }
    const scope = tokenScope(r)
    const security =
      r.auth === 'none'
        ? []
        : r.auth === 'visitor'
          ? [{ visitorToken: [] }]
          : [{ session: [] }, ...(scope ? [{ apiToken: [scope] }] : [])]
    paths[path] ??= {}
    paths[path]![r.method.toLowerCase()] = {
      summary: r.summary,
      tags: [r.tag],
      security,
      // What the session's second factor must show (docs/mfa.md#step-up), for clients that prompt ahead.
      ...(r.factor ? { 'x-parley-factor': r.factor } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: toJson(r.body, 'input') } },
            },
          }
        : r.rawBody
          ? {
              requestBody: {
                required: true,
                content: { [r.rawBody.contentType]: { schema: { type: 'string', format: 'binary' } } },
              },
            }
          : {}),
      responses: {
        [String(r.status ?? 200)]: {
          description: 'OK',
          content: { 'application/json': { schema: toJson(r.response, 'output') } },
        },
        default: {
          description: 'Error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    }
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      securitySchemes: {
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'parley_session',
          description: 'Agent session; browsers also send X-Parley-CSRF: 1 on writes.',
        },
        apiToken: {
          type: 'http',
          scheme: 'bearer',
          description:
            'API token `parley_<id>_<secret>` with the scope listed on the route (docs/api-tokens.md); no CSRF header needed.',
        },
        visitorToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'Visitor token from the WebSocket auth.ok frame.',
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' } },
              additionalProperties: true,
            },
          },
        },
      },
    },
  }
}
