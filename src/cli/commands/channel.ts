import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { TaskwardenClient } from '../../client/api.ts';
import { TaskwardenError } from '../../core/errors.ts';
import type { ChannelView, DeliveryView } from '../../protocol/channels.ts';
import { connect, flagsOf, withConnection } from '../connection.ts';
import { printJson, shown } from '../output.ts';
import { noneNamed } from '../refs.ts';
import { formatTable } from '../table.ts';

/** `channel list|create|delete|test|deliveries`: where notifications go, and how sending them went. */
export function registerChannelCommands(program: Command): void {
  const channel = program.command('channel').description('Notification channels (webhook, email)');

  withConnection(channel.command('list'))
    .description("List the org's channels and the global ones")
    .option('--json', 'print JSON')
    .action(async (_opts, cmd: Command) => {
      const flags = flagsOf<{ json?: boolean }>(cmd);
      const channels = await connect(flags).listChannels();
      if (flags.json) return printJson({ items: channels });
      const rows = channels.map((c) => ({
        name: c.name,
        kind: c.kind,
        to: destinationOf(c),
        scope: c.orgId ? 'org' : 'global',
      }));
      process.stdout.write(`${formatTable(rows) || 'no channels'}\n`);
    });

  withConnection(channel.command('create <name>'))
    .description('Create a channel: --webhook URL (signed with a secret) or --email addresses')
    .option('--webhook <url>', 'POST the events to this URL')
    .option(
      '--secret-file <file>',
      "the webhook's HMAC secret, read from a file (default: one is generated and shown once)",
    )
    .option('--email <addresses>', 'comma-separated recipients')
    .option('--global', 'a global channel every org may use (global admin only)')
    .option('--json', 'print JSON')
    .action(async (name: string, _opts, cmd: Command) => {
      const flags = flagsOf<{
        webhook?: string;
        secretFile?: string;
        email?: string;
        global?: boolean;
        json?: boolean;
      }>(cmd);
      if ((flags.webhook === undefined) === (flags.email === undefined)) {
        throw usage('give either --webhook URL or --email addresses');
      }
      const body = flags.webhook
        ? {
            name,
            kind: 'webhook' as const,
            url: flags.webhook,
            ...(flags.secretFile ? { secret: readFileSync(flags.secretFile, 'utf8').trim() } : {}),
          }
        : { name, kind: 'email' as const, to: (flags.email ?? '').split(',').map((a) => a.trim()) };
      const made = await connect(flags).createChannel(flags.global ? { ...body, global: true } : body);
      if (flags.json) return printJson(made);
      process.stdout.write(shown`created channel ${made.name} (${made.id})\n`);
      if (made.secret && made.secret !== '***')
        process.stdout.write(shown`webhook secret (shown once): ${made.secret}\n`);
    });

  withConnection(channel.command('delete <name>'))
    .description('Delete a channel with its queued events and delivery log')
    .action(async (name: string, _opts, cmd: Command) => {
      const client = connect(flagsOf(cmd));
      const found = await find(client, name);
      await client.deleteChannel(found.id);
      process.stdout.write(shown`deleted channel ${found.name}\n`);
    });

  withConnection(channel.command('test <name>'))
    .description('Send a test message now; exit 1 if it could not be sent')
    .option('--json', 'print JSON')
    .action(async (name: string, _opts, cmd: Command) => {
      const flags = flagsOf<{ json?: boolean }>(cmd);
      const client = connect(flags);
      const delivery = await client.testChannel((await find(client, name)).id);
      if (flags.json) printJson(delivery);
      else if (delivery.status === 'delivered') process.stdout.write(shown`sent a test message to ${name}\n`);
      else process.stdout.write(shown`the test message to ${name} failed: ${delivery.lastError}\n`);
      if (delivery.status !== 'delivered') process.exitCode = 1;
    });

  withConnection(channel.command('deliveries [name]'))
    .description("A channel's delivery log (or every channel's), newest first")
    .option('--failed', 'only those given up')
    .option('--status <status>', 'pending, retrying, delivered or failed')
    .option('--limit <n>', 'how many (default 50)', '50')
    .option('--json', 'print JSON')
    .action(async (name: string | undefined, _opts, cmd: Command) => {
      const flags = flagsOf<{ failed?: boolean; status?: string; limit: string; json?: boolean }>(cmd);
      const client = connect(flags);
      const channelId = name === undefined ? undefined : (await find(client, name)).id;
      const status = flags.failed ? 'failed' : flags.status;
      const page = await client.deliveries(channelId, { status, limit: flags.limit });
      if (flags.json) return printJson(page);
      process.stdout.write(`${formatTable(page.items.map(deliveryRow)) || 'no deliveries'}\n`);
    });
}

function deliveryRow(d: DeliveryView) {
  return {
    created: d.createdAt,
    status: d.status,
    attempts: d.attempts,
    event: d.event,
    summary: d.summary,
    error: d.lastError ?? '',
  };
}

function destinationOf(c: ChannelView): string {
  if (c.kind === 'email') return c.to?.join(', ') ?? '';
  return c.url ?? '';
}

async function find(client: TaskwardenClient, name: string): Promise<ChannelView> {
  const found = await client.findChannel(name);
  if (!found) throw noneNamed('channel', name);
  return found;
}

/** Bad input: exit code 2, as the Contract says. */
function usage(message: string): TaskwardenError {
  return new TaskwardenError('invalid_input', message);
}
