import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { AGENT_SETTINGS, resolveAgentConfig } from '../agent/config.ts';
import { ValidationError } from '../core/errors.ts';
import { flagProperty } from '../core/settings.ts';
import {
  CONFIG_DIR,
  InstallTarget,
  isSingleExecutable,
  SYSTEMD_UNIT_DIR,
  systemdUnit,
  taskwardenCommand,
} from './install.ts';

export const AGENT_UNIT = 'taskwarden-agent.service';
export const AGENT_CONFIG = `${CONFIG_DIR}/agent.yaml`;
export const AGENT_TOKEN = `${CONFIG_DIR}/agent-enrolment.token`;
/** systemd's StateDirectory= makes it (0700). */
export const AGENT_DATA = '/var/lib/taskwarden-agent';

export interface AgentInstallOptions {
  root?: string;
  start?: boolean;
  purge?: boolean;
  tokenFile?: string;
  /** The agent's own flags (--server, --tags, --listen…), as `taskwarden agent` takes them. */
  [flag: string]: unknown;
}

/** Settings holding paths: written absolute, as the service runs elsewhere than where install ran. */
const PATH_KEYS = ['data', 'packageRoot'];

/**
 * Checks the agent's options as `taskwarden agent` would, then writes the token (0600), the
 * config naming it and the unit; on a real install enables and starts the service.
 */
export async function installAgent(flags: AgentInstallOptions): Promise<string[]> {
  const target = new InstallTarget(flags);
  if (typeof flags['server'] !== 'string') throw new ValidationError('--server', 'is required: the server URL');
  if (flags.tokenFile === undefined) throw new ValidationError('--token-file', 'is required: the enrolment token file');
  const settings = agentSettings(flags);
  // The same checks the service will make at its start, with the token file given here.
  resolveAgentConfig({ ...flagsOf(settings), enrolFile: flags.tokenFile }, process.cwd(), '0', {});
  const token = (await readFile(resolve(flags.tokenFile), 'utf8')).split('\n')[0]?.trim() as string;
  const done: string[] = [];
  await target.write(AGENT_TOKEN, `${token}\n`, 0o600);
  await target.write(AGENT_CONFIG, agentConfigText(settings), 0o600);
  const unitPath = `${SYSTEMD_UNIT_DIR}/${AGENT_UNIT}`;
  await target.write(unitPath, agentUnit(), 0o644);
  done.push(
    `wrote ${target.path(AGENT_TOKEN)}`,
    `wrote ${target.path(AGENT_CONFIG)}`,
    `wrote ${target.path(unitPath)}`,
  );
  for (const args of [['daemon-reload'], ...(flags.start === false ? [] : [['enable', '--now', AGENT_UNIT]])]) {
    const ran = target.systemctl(args);
    if (ran) done.push(`ran ${ran}`);
  }
  if (target.staged) done.push('staged install: systemctl not run');
  return done;
}

/** Stops the service and removes what install wrote; with `purge`, the data folder the config names too. */
export async function uninstallAgent(flags: AgentInstallOptions): Promise<string[]> {
  const target = new InstallTarget(flags);
  const done: string[] = [];
  const config = await target.read(AGENT_CONFIG);
  const data = config === null ? AGENT_DATA : (dataOf(config) ?? AGENT_DATA);
  const unitPath = `${SYSTEMD_UNIT_DIR}/${AGENT_UNIT}`;
  if ((await target.read(unitPath)) !== null) {
    const ran = target.systemctl(['disable', '--now', AGENT_UNIT]);
    if (ran) done.push(`ran ${ran}`);
  }
  // Only a folder the agent made: a config naming / or /home would otherwise be wiped.
  const purge = flags.purge && (data === AGENT_DATA || (await target.read(`${data}/agent.json`)) !== null);
  if (flags.purge && !purge) done.push(`not purged: ${target.path(data)} holds no agent.json`);
  for (const path of [unitPath, AGENT_CONFIG, AGENT_TOKEN, ...(purge ? [data] : [])]) {
    if (await target.remove(path)) done.push(`removed ${target.path(path)}`);
  }
  const ran = target.systemctl(['daemon-reload']);
  if (ran) done.push(`ran ${ran}`);
  if (!flags.purge)
    done.push(`kept ${target.path(data)} (its credential: reinstalling keeps the agent; --purge deletes it)`);
  done.push('the agent stays on the server: delete it there (web UI, Agents) to drop it from targets');
  return done;
}

/** The config file's settings: the agent's flags given, over the service's defaults. */
function agentSettings(flags: AgentInstallOptions): Record<string, string> {
  const settings: Record<string, string> = { data: AGENT_DATA };
  for (const spec of AGENT_SETTINGS) {
    const value = spec.flag ? flags[flagProperty(spec.flag)] : undefined;
    if (value === true) settings[spec.key] = 'true';
    else if (typeof value === 'string') settings[spec.key] = PATH_KEYS.includes(spec.key) ? resolve(value) : value;
  }
  settings['enrolFile'] = AGENT_TOKEN;
  return settings;
}

function flagsOf(settings: Record<string, string>): Record<string, string> {
  const flags: Record<string, string> = {};
  for (const spec of AGENT_SETTINGS) {
    const value = settings[spec.key];
    if (value !== undefined && spec.flag) flags[flagProperty(spec.flag)] = value;
  }
  return flags;
}

export function agentConfigText(settings: Record<string, string>): string {
  const typed = Object.fromEntries(
    Object.entries(settings).map(([key, value]) => [
      key,
      /^\d+$/.test(value) ? Number(value) : value === 'true' ? true : value,
    ]),
  );
  return `# taskwarden agent settings: a key per option of \`taskwarden agent\` (README, "Agents").\n${stringify(typed)}`;
}

export function agentUnit(): string {
  return systemdUnit({
    description: 'Taskwarden agent',
    // The single-file agent is the agent command itself: it has no `agent` word.
    execStart: [
      ...(isSingleExecutable() ? [process.execPath] : [...taskwardenCommand(), 'agent']),
      '--config',
      AGENT_CONFIG,
    ],
    service: [
      // Deploy packages and catalog commands act on the whole machine.
      'User=root',
      'StateDirectory=taskwarden-agent',
      'StateDirectoryMode=0700',
      `WorkingDirectory=${AGENT_DATA}`,
      // The agent stops within its grace for the last events (the rest stay spooled).
      'TimeoutStopSec=15',
    ],
  });
}

function dataOf(config: string): string | null {
  try {
    const data = (parse(config) as { data?: unknown } | null)?.data;
    return typeof data === 'string' && isAbsolute(data) ? data : null;
  } catch {
    return null;
  }
}
