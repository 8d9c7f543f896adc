// Runs Debian's unmodified FusionInventory agent (2.6) once (no daemon, no httpd, logs on
// stderr) against a Taskwarden server on loopback, with its storage in a temp folder.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { E2EServer } from '../agent/e2e-support.ts';

const AGENT = '/usr/bin/fusioninventory-agent';
const AGENT_LIB = '/usr/share/fusioninventory/lib';
/** One run of the agent is bounded well inside a test's minute. */
const RUN_TIMEOUT_MS = 45_000;

export interface FusionAgentRun {
  code: number | null;
  /** Everything it logged (--debug), to read what it did. */
  output: string;
}

export interface FusionAgent {
  /** Its folder: storage (var/) and an empty config file (agent.cfg), so /etc is never read. */
  dir: string;
  run(opts: RunOptions): Promise<FusionAgentRun>;
}

export interface RunOptions {
  server: string;
  user: string;
  password: string;
  tasks: string[];
  extra?: string[];
  /** Hides Compress::Zlib from the agent, which then compresses with the gzip program. */
  withoutZlib?: boolean;
}

export async function fusionAgent(): Promise<FusionAgent> {
  const dir = await mkdtemp(join(tmpdir(), 'taskwarden-fi-agent-'));
  const config = join(dir, 'agent.cfg');
  await writeFile(config, '');
  return {
    dir,
    run: (opts) => runAgent(dir, config, opts),
  };
}

function runAgent(dir: string, config: string, opts: RunOptions): Promise<FusionAgentRun> {
  // 2.6 takes its storage folder from setup.pm only (it has no --var-dir): this sets it,
  // then runs the agent's own script unchanged.
  const script = [
    opts.withoutZlib ? 'BEGIN { unshift @INC, sub { die "hidden\\n" if $_[1] eq "Compress/Zlib.pm"; return } }' : '',
    `use lib "${AGENT_LIB}"; use setup; $setup{vardir} = shift @ARGV;`,
    `do "${AGENT}"; die $@ if $@;`,
  ].join(' ');
  const args = [
    join(dir, 'var'),
    `--conf-file=${config}`,
    `--server=${opts.server}`,
    `--user=${opts.user}`,
    `--password=${opts.password}`,
    '--no-httpd',
    '--logger=stderr',
    '--debug',
    `--tasks=${opts.tasks.join(',')}`,
    ...(opts.extra ?? []),
  ];
  const child = spawn('perl', ['-e', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

/** An enrolment token as FusionInventory agents use it: user = its id, password = the token. */
export async function fusionCredential(server: E2EServer, tags: string[], uses = 5) {
  const created = await server.call('POST', '/api/v1/enrolment-tokens', { uses, expiresIn: '1h', tags });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  return { user: created.json.id as string, password: created.json.token as string };
}

export const endpointOf = (server: E2EServer) => `${server.url}/plugins/fusioninventory/`;
