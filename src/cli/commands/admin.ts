import type { Command } from 'commander';
import { connect, flagsOf, withConnection } from '../connection.ts';
import { printJson, shown } from '../output.ts';
import { formatTable } from '../table.ts';

/** `org create`, `user create`, `token create`, `command add|list`: setting up who may do what. */
export function registerAdminCommands(program: Command): void {
  withConnection(program.command('org').command('create <name>'))
    .description('Create an org (global admin only)')
    .option('--json', 'print JSON')
    .action(async (name: string, _opts, cmd: Command) => {
      const flags = flagsOf<{ json?: boolean }>(cmd);
      const org = await connect(flags).createOrg(name);
      if (flags.json) return printJson(org);
      process.stdout.write(shown`created org ${org.name} (${org.id})\n`);
    });

  withConnection(program.command('user').command('create <name>'))
    .description('Create a user in an org')
    .requiredOption('--org <org>', 'org name or id')
    .requiredOption('--role <role>', 'org-admin, operator or viewer')
    .option('--password <password>', 'password for the web UI login')
    .option('--json', 'print JSON')
    .action(async (name: string, _opts, cmd: Command) => {
      const flags = flagsOf<{ org: string; role: string; password?: string; json?: boolean }>(cmd);
      const user = await connect(flags).createUser(flags.org, { name, role: flags.role, password: flags.password });
      if (flags.json) return printJson(user);
      process.stdout.write(shown`created user ${user.name} (${user.id})\n`);
    });

  withConnection(program.command('token').command('create'))
    .description('Create an API token for a user; the token is shown once')
    .requiredOption('--user <id>', 'user id')
    .requiredOption('--name <name>', 'what the token is for')
    .option('--expires-in <duration>', 'e.g. 30d')
    .option('--json', 'print JSON')
    .action(async (_opts, cmd: Command) => {
      const flags = flagsOf<{ user: string; name: string; expiresIn?: string; json?: boolean }>(cmd);
      const created = await connect(flags).createToken(flags.user, { name: flags.name, expiresIn: flags.expiresIn });
      if (flags.json) return printJson(created);
      process.stdout.write(`${created.token}\n`);
    });

  const command = program.command('command').description('The catalog of predefined commands');
  withConnection(command.command('add'))
    .description('Add or replace catalog commands from a YAML/JSON file (one or a list)')
    .requiredOption('-f, --file <file>', 'catalog file')
    .option('--global', 'make them global commands (admin only)')
    .option('--org <org>', "the org whose commands they are (admin only: an org-admin's are his org's)")
    .option('--json', 'print JSON')
    .action(async (_opts, cmd: Command) => {
      const flags = flagsOf<{ file: string; global?: boolean; org?: string; json?: boolean }>(cmd);
      const client = connect(flags);
      const { readDefinitions } = await import('../task-file.ts');
      const added = [];
      for (const def of readDefinitions(flags.file, 'command')) {
        added.push(await client.addCommand(flags.global ? { ...def, global: true } : def, { org: flags.org }));
      }
      if (flags.json) return printJson(added);
      for (const c of added) process.stdout.write(shown`added command ${c.name}\n`);
    });

  withConnection(command.command('list'))
    .description('List the catalog')
    .option('--json', 'print JSON')
    .action(async (_opts, cmd: Command) => {
      const flags = flagsOf<{ json?: boolean }>(cmd);
      const commands = await connect(flags).listCommands();
      if (flags.json) return printJson({ items: commands });
      const rows = commands.map((c) => ({
        name: c.name,
        argv: c.argv.join(' '),
        runsOn: c.runsOn,
        scope: c.orgId ? 'org' : 'global',
      }));
      process.stdout.write(`${formatTable(rows) || 'no commands'}\n`);
    });
}
