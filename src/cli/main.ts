#!/usr/bin/env node
import { Command } from 'commander'
import { isParleyError } from '../errors/index.js'
import { alertsListCommand, migrateCommand, serveCommand, tenantCreateCommand } from './server-commands.js'

const program = new Command()
program
  .name('parley')
  .description('Parley: self-hosted live chat for conversations that carry sensitive data.')
  .version('0.1.0')
  .showHelpAfterError()

program
  .command('serve')
  .description(
    'Run the Parley server (SQLite under ./data by default; DATABASE_URL for PostgreSQL, REDIS_URL for several nodes).',
  )
  .option('-p, --port <port>', 'port to listen on (default: $PORT or 8080)')
  .option('--host <host>', 'address to bind (default: $HOST or 127.0.0.1)')
  .action(serveCommand)

program
  .command('migrate')
  .description('Bring the database schema up to date and exit (serve also does this on start).')
  .action(migrateCommand)

const tenant = program.command('tenant').description('Manage tenants (one company each).')
tenant
  .command('create')
  .description('Create a tenant with a site and an administrator; prints the one-time setup link.')
  .requiredOption('--name <name>', 'company name')
  .requiredOption('--admin-email <email>', "first administrator's email")
  .option('--admin-name <name>', "first administrator's name", 'Administrator')
  .option('--origin <origin...>', 'page origins allowed to embed the widget (e.g. https://shop.example)')
  .option('--json', 'print the result as JSON')
  .action(tenantCreateCommand)

program
  .command('redact')
  .description(
    'Redact sensitive data from JSON lines {"id","text"[,"conversation","sender"]} on stdin (see docs/protect.md).',
  )
  .option('--policy <file>', 'redaction policy (JSON); the strict default policy otherwise')
  .action(async (opts: { policy?: string }) => {
    const { runRedactCli } = await import('../protect/index.js')
    await runRedactCli({ ...(opts.policy ? { policyFile: opts.policy } : {}) }, process.stdin, process.stdout)
  })

const watch = program
  .command('watch')
  .description('Anomaly detection over security events (see docs/watch.md).')
watch
  .command('replay')
  .description('Run the detection engine over recorded events (JSON lines); prints one JSON line per alert.')
  .requiredOption('--events <file>', "events file (.jsonl), time taken from each event's ts")
  .action(async (opts: { events: string }) => {
    const { runWatchReplay } = await import('../watch/index.js')
    await runWatchReplay({ eventsFile: opts.events }, process.stdout)
  })

const alerts = program.command('alerts').description("Anomaly alerts across tenants (the operator's view).")
alerts
  .command('list')
  .description('List recent alerts of every tenant, newest first.')
  .option('--tenant <id>', 'only this tenant')
  .option('--state <state>', 'only alerts in this state (open, acknowledged, escalated, resolved)')
  .option('--limit <n>', 'how many', '50')
  .option('--json', 'one JSON object per line')
  .action(alertsListCommand)

program.parseAsync(process.argv).catch((err: unknown) => {
  if (isParleyError(err)) {
    process.stderr.write(`parley: ${err.code}: ${err.message}\n`)
  } else {
    process.stderr.write(`parley: ${err instanceof Error ? err.message : String(err)}\n`)
  }
  process.exit(1)
})
