import { hostname } from 'node:os'
import { resolve } from 'node:path'
import { z } from 'zod'
import { ParleyError } from '../errors/index.js'

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: z.url().optional(),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL')
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'REDIS_URL must be a redis:// URL')
    .optional(),
  SQLITE_SYNCHRONOUS: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MAX_MESSAGE_LENGTH: z.coerce.number().int().min(1).max(100_000).default(4000),
  MAX_ATTACHMENT_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(10 * 1024 * 1024),
  NODE_ID: z.string().min(1).max(64).optional(),
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  WS_FRAMES_PER_SECOND: z.coerce.number().int().min(1).default(30),
  WS_BURST: z.coerce.number().int().min(1).default(60),
  PARLEY_UNSAFE_DISABLE_REDACTION: z.enum(['1']).optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'SMTP_URL must be an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Parley <parley@localhost>'),
  WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
  PARLEY_MASTER_KEY: z.string().min(1).optional(),
  SEARCH_INDEX_PAUSE_RATE: z.coerce.number().int().min(0).default(2000),
  SEARCH_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43,}$/, 'SEARCH_KEY must be at least 32 random bytes in base64url')
    .optional(),
})

export interface ParleyConfig {
  port: number
  host: string
  publicUrl: string
  dataDir: string
  databaseUrl: string | undefined
  redisUrl: string | undefined
  sqliteSynchronous: 'NORMAL' | 'FULL'
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL']
  maxMessageLength: number
  maxAttachmentBytes: number
  nodeId: string
  trustProxy: boolean
  /** SMTP server for alert e-mails; none configured means no e-mail. */
  smtpUrl: string | undefined
  mailFrom: string
  /** Lets webhooks reach private and loopback addresses over http (internal systems, tests); off by default. */
  webhookAllowPrivate: boolean
  /** Secret the per-tenant search keys derive from; unset: generated on first start and kept in the database. */
  searchKey: string | undefined
  /** Messages a second on this node above which search indexing pauses until the peak passes (0: never). */
  searchIndexPauseRate: number
  /** The vault's master key (base64, 32 bytes); unset: the key file DATA_DIR/master.key, created on first start. */
  masterKey: string | undefined
  /** Benchmark only: store messages without redaction (bench:chat measures the cost of redaction). */
  unsafeDisableRedaction: boolean
  /** WebSocket limits: frame size, sustained frames per second, burst, buffered bytes. */
  ws: { maxFrameBytes: number; framesPerSecond: number; burst: number; slowClientBytes: number }
}

/** Reads configuration from the environment, once, at start; a bad value stops the start with a clear message. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<ParleyConfig> = {},
): ParleyConfig {
  const parsed = envSchema.safeParse(env)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    throw new ParleyError('PARLEY_ERR_CONFIG_INVALID', `invalid configuration: ${issues.join('; ')}`, {
      issues,
    })
  }
  const e = parsed.data
  const port = overrides.port ?? e.PORT
  return {
    port,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    dataDir: resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    sqliteSynchronous: e.SQLITE_SYNCHRONOUS,
    logLevel: e.LOG_LEVEL,
    maxMessageLength: e.MAX_MESSAGE_LENGTH,
    maxAttachmentBytes: e.MAX_ATTACHMENT_BYTES,
    nodeId: e.NODE_ID ?? `${hostname()}-${process.pid}`,
    trustProxy: e.TRUST_PROXY === 'true',
    unsafeDisableRedaction: e.PARLEY_UNSAFE_DISABLE_REDACTION === '1',
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    webhookAllowPrivate: e.WEBHOOK_ALLOW_PRIVATE === 'true',
    searchKey: e.SEARCH_KEY,
    masterKey: e.PARLEY_MASTER_KEY,
    searchIndexPauseRate: e.SEARCH_INDEX_PAUSE_RATE,
    ws: {
      maxFrameBytes: 64 * 1024,
      framesPerSecond: e.WS_FRAMES_PER_SECOND,
      burst: e.WS_BURST,
      slowClientBytes: 1024 * 1024,
    },
    ...overrides,
  }
}
