import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.ts';
import type { CreateCommandBody } from '../../protocol/commands.ts';
import type { CreateUserBody } from '../../protocol/users.ts';
import { connect, flagsOf, withConnection } from '../connection.ts';
import { orgNames } from '../org-names.ts';
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
    .description('Create a user in an org (--org or TASKWARDEN_ORG); the password is asked for, never an argument')
    .requiredOption('--role <role>', 'org-admin, operator or viewer')
    .option('--password-file <file>', "web UI password: the file's first line (- = standard input); default: prompted")
    .option('--json', 'print JSON')
    .action(async (name: string, _opts, cmd: Command) => {
      const flags = flagsOf<{ role: string; passwordFile?: string; json?: boolean }>(cmd);
      const client = connect(flags);
      if (!client.org)
        throw new ValidationError('--org', 'is required: the org the user belongs to (or TASKWARDEN_ORG)');
      const { readPassword } = await import('../password.ts');
      const password = await readPassword(flags.passwordFile, `password for ${name}`);
      const user = await client.createUser(client.org, {
        name,
        role: flags.role as CreateUserBody['role'],
        ...(password ? { password } : {}),
      });
      if (flags.json) return printJson(user);
      process.stdout.write(
        shown`created user ${user.name} (${user.id})${password ? '' : ', no password: API tokens only'}\n`,
      );
    });

  withConnection(program.command('token').command('create'))
    .description('Create an API token for a user; the token is shown once')
    .requiredOption('--user <user>', 'user id or name (of the org --org names, or yours)')
    .requiredOption('--name <name>', 'what the token is for')
    .option('--expires-in <duration>', 'e.g. 30d')
    .option('--json', 'print JSON')
    .action(async (_opts, cmd: Command) => {
      const flags = flagsOf<{ user: string; name: string; expiresIn?: string; json?: boolean }>(cmd);
      const client = connect(flags);
      const { userIdOf } = await import('../refs.ts');
      const created = await client.createToken(await userIdOf(client, flags.user), {
        name: flags.name,
        expiresIn: flags.expiresIn,
      });
      if (flags.json) return printJson(created);
      process.stdout.write(`${created.token}\n`);
    });

  const command = program.command('command').description('The catalog of predefined commands');
  withConnection(command.command('add'))
    .description('Add or replace catalog commands from a YAML/JSON file (one or a list)')
    .requiredOption('-f, --file <file>', 'catalog file')
    .option('--global', 'make them global commands (admin only; without it, --org names whose they are)')
    .option('--json', 'print JSON')
    .action(async (_opts, cmd: Command) => {
      const flags = flagsOf<{ file: string; global?: boolean; json?: boolean }>(cmd);
      const client = connect(flags);
      const { readDefinitions } = await import('../task-file.ts');
      const added = [];
      for (const def of readDefinitions<CreateCommandBody>(flags.file, 'command')) {
        added.push(await client.addCommand(flags.global ? { ...def, global: true } : def));
      }
      if (flags.json) return printJson(added);
      for (const c of added) process.stdout.write(shown`added command ${c.name}\n`);
    });

  withConnection(command.command('list'))
    .description('List the catalog')
    .option('--json', 'print JSON')
    .action(async (_opts, cmd: Command) => {
      const flags = flagsOf<{ json?: boolean }>(cmd);
      const client = connect(flags);
      const commands = await client.listCommands();
      if (flags.json) return printJson({ items: commands });
      const org = await orgNames(
        client,
        commands.map((c) => c.orgId),
      );
      const rows = commands.map((c) => ({
        name: c.name,
        argv: c.argv.join(' '),
        runsOn: c.runsOn,
        org: org(c.orgId),
      }));
      process.stdout.write(`${formatTable(rows) || 'no commands'}\n`);
    });
}
