import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { flagProperty } from '../core/settings.ts';
import { SERVER_SETTINGS } from '../server/settings.ts';
import { SERVER_CONFIG, SERVER_DATA, SERVER_UNIT } from './commands/server-install.ts';
import { InstallTarget, SYSTEMD_UNIT_DIR, systemdUnit, taskwardenCommand } from './install.ts';
import { SERVER_NODE_FLAGS } from './server-node-flags.ts';

const DEFAULT_USER = 'taskwarden';
/** Settings holding paths: written absolute, as the service runs elsewhere than where install ran. */
const PATH_KEYS = ['data', 'tls.cert', 'tls.key'];

export interface ServerInstallOptions {
  root?: string;
  start?: boolean;
  user?: string;
  /** The server's own flags given with `install` (--host, --port, --tls-cert…) go into the config file. */
  [flag: string]: unknown;
}

/** Writes the config file (kept when there is one) and the unit; on a real install creates the user and starts it. */
export async function installServer(flags: ServerInstallOptions): Promise<string[]> {
  const target = new InstallTarget(flags);
  const user = flags.user ?? DEFAULT_USER;
  const done: string[] = [];
  if ((await target.read(SERVER_CONFIG)) === null) {
    await target.write(SERVER_CONFIG, serverConfigText(flags), 0o640);
    done.push(`wrote ${target.path(SERVER_CONFIG)}`);
  } else {
    done.push(`kept ${target.path(SERVER_CONFIG)} (edit it, then: systemctl restart taskwarden)`);
  }
  const unitPath = `${SYSTEMD_UNIT_DIR}/${SERVER_UNIT}`;
  await target.write(unitPath, serverUnit(user), 0o644);
  done.push(`wrote ${target.path(unitPath)}`);
  if (!target.staged && flags.user === undefined && !accountExists(user)) {
    run('useradd', ['--system', '--home-dir', SERVER_DATA, '--shell', '/usr/sbin/nologin', user]);
    done.push(`created the system user ${user}`);
  }
  for (const args of [['daemon-reload'], ...(flags.start === false ? [] : [['enable', '--now', SERVER_UNIT]])]) {
    const ran = target.systemctl(args);
    if (ran) done.push(`ran ${ran}`);
  }
  if (target.staged) done.push('staged install: systemctl not run');
  return done;
}

/** The settings given as flags, over the service's defaults: its data under /var/lib, reachable from other machines. */
export function serverConfigText(flags: Record<string, unknown>): string {
  const settings: Record<string, unknown> = { data: SERVER_DATA, host: '0.0.0.0', port: 8080 };
  for (const spec of SERVER_SETTINGS) {
    const value = spec.flag ? flags[flagProperty(spec.flag)] : undefined;
    if (typeof value !== 'string') continue;
    const written = PATH_KEYS.includes(spec.key) ? resolve(value) : /^\d+$/.test(value) ? Number(value) : value;
    const [head, tail] = spec.key.split('.') as [string, string | undefined];
    if (tail === undefined) settings[head] = written;
    else settings[head] = { ...(settings[head] as object | undefined), [tail]: written };
  }
  return `# taskwarden server settings: one key per setting (README, "Configuration").\n${stringify(settings)}`;
}

/** The command that starts the server: node with the server's flags, then this script (SERVER_NODE_FLAGS). */
function serverCommand(): string[] {
  const [node, ...script] = taskwardenCommand();
  return script.length > 0 ? [node as string, ...SERVER_NODE_FLAGS, ...script] : [node as string];
}

export function serverUnit(user: string): string {
  return systemdUnit({
    description: 'Taskwarden server',
    execStart: [...serverCommand(), 'server', '--config', SERVER_CONFIG],
    service: [
      `User=${user}`,
      `Group=${user}`,
      // Created and handed to the user by systemd, 0700 like the server makes it itself.
      'StateDirectory=taskwarden',
      'StateDirectoryMode=0700',
      `WorkingDirectory=${SERVER_DATA}`,
      // SIGHUP re-reads the TLS certificate and key.
      'ExecReload=/bin/kill -HUP $MAINPID',
      // The server stops within 10 s of SIGTERM (running jobs checkpoint).
      'TimeoutStopSec=15',
      'PrivateTmp=yes',
    ],
  });
}

function accountExists(user: string): boolean {
  return spawnSync('id', ['-u', user], { stdio: 'ignore' }).status === 0;
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error || result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`})`);
  }
}
