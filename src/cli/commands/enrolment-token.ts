import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.ts';
import { connect, flagsOf, withConnection } from '../connection.ts';
import { printJson, shown } from '../output.ts';
import { formatTable } from '../table.ts';

/** `enrolment-token create|list|revoke`: the tokens agents enrol with (org-admin). */
export function registerEnrolmentTokenCommands(program: Command): void {
  const tokens = program
    .command('enrolment-token')
    .description('Tokens that let machines enrol as agents of an org (org-admin)');

  withConnection(tokens.command('create'))
    .description('Create an enrolment token; prints it once, with the command to run on a PC')
    .requiredOption('--uses <n>', 'how many agents may enrol with it')
    .requiredOption('--expires <duration>', 'how long it is valid, e.g. 7d, 12h')
    .option('--tags <a,b>', 'tags every agent enrolled with it gets')
    .option('--json', 'print JSON')
    .action(async (_opts, cmd: Command) => {
      const flags = flagsOf<{ uses: string; expires: string; tags?: string; json?: boolean }>(cmd);
      const uses = /^\d{1,6}$/.test(flags.uses) ? Number(flags.uses) : Number.NaN;
      if (!(uses >= 1)) throw new ValidationError('--uses', `"${flags.uses}" is not a whole number of at least 1`);
      const tags = flags.tags
        ?.split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      const created = await connect(flags).createEnrolmentToken({
        uses,
        expiresIn: flags.expires,
        ...(tags?.length ? { tags } : {}),
      });
      if (flags.json) return printJson(created);
      process.stdout.write(
        [
          shown`enrolment token ${created.id}: ${created.usesLeft} uses, expires ${created.expiresAt}` +
            shown`${created.tags.length ? `, tags ${created.tags.join(', ')}` : ''}`,
          `token (shown once): ${created.token}`,
          '',
          'Taskwarden agent:',
          created.setup.agentCommand,
          '',
          'FusionInventory agent (agent.cfg):',
          created.setup.fusionInventoryConfig,
          '',
          shown`Agents are told ${created.setup.serverUrl}; when PCs reach the server elsewhere, set publicUrl (README, Configuration).`,
          '',
        ].join('\n'),
      );
    });

  withConnection(tokens.command('list'))
    .description('List enrolment tokens: uses left, expiry, state')
    .option('--json', 'print JSON')
    .action(async (_opts, cmd: Command) => {
      const flags = flagsOf<{ json?: boolean }>(cmd);
      const client = connect(flags);
      const items = await client.listEnrolmentTokens();
      if (flags.json) return printJson({ items });
      const { orgNames } = await import('../org-names.ts');
      const org = await orgNames(
        client,
        items.map((t) => t.orgId),
      );
      const now = Date.now();
      const rows = items.map((t) => ({
        id: t.id,
        org: org(t.orgId),
        tags: t.tags.join(','),
        'uses left': t.usesLeft,
        expires: t.expiresAt,
        state: t.revokedAt
          ? 'revoked'
          : t.usesLeft > 0 && Date.parse(t.expiresAt) > now
            ? 'usable'
            : 'used up or expired',
      }));
      process.stdout.write(`${formatTable(rows) || 'no enrolment tokens'}\n`);
    });

  withConnection(tokens.command('revoke <id>'))
    .description(
      'Revoke an enrolment token: no more enrolments with it (and FusionInventory agents using it are locked out)',
    )
    .action(async (id: string, _opts, cmd: Command) => {
      await connect(flagsOf(cmd)).revokeEnrolmentToken(id);
      process.stdout.write(shown`revoked enrolment token ${id}\n`);
    });
}
