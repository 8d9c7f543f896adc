// The single-file agent (issue 17): `npm run build:agent` writes dist/taskwarden-agent, a
// copy of Node with the bundled agent injected. Copied alone into an empty folder and run
// there with a PATH that holds no node or npm, it answers --help and --version, refuses to
// keep its state in itself, installs itself as a service (in a staging root), reads a YAML
// config file, enrols with a real server on 127.0.0.1 and runs a `command` job to `finished`. Built once for the file (or dist/'s, when fresh).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Command } from 'commander';
import { declareAgentOptions } from '../../src/cli/agent-options.ts';
import { allLogs, type E2EServer, runEnded, startE2EServer, stdoutOf } from '../agent/e2e-support.ts';
import { waitFor } from '../agent/protocol-stub.ts';
import { agentExecutable } from '../support/agent-executable.ts';

const root = resolve(import.meta.dirname, '../..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

/** A PATH with `echo` (what the job runs) and nothing else: no node, no npm. */
function toolsOnlyPath(dir: string): string {
  mkdirSync(dir);
  const echo = spawnSync('sh', ['-c', 'command -v echo'], { encoding: 'utf8' }).stdout.trim();
  symlinkSync(echo.startsWith('/') ? echo : '/bin/echo', join(dir, 'echo'));
  return dir;
}

describe('the single-file agent', () => {
  let tmp: string;
  /** The empty folder the executable is copied into and run from. */
  let pc: string;
  let exe: string;
  let env: NodeJS.ProcessEnv;
  let server: E2EServer;
  let agent: ChildProcess | undefined;

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'tw-agent-exe-'));
    const built = agentExecutable(join(tmp, 'build'));
    if (built.buildMs !== null) console.log(`# built the agent executable in ${(built.buildMs / 1000).toFixed(1)} s`);
    pc = join(tmp, 'pc');
    mkdirSync(pc);
    exe = join(pc, 'taskwarden-agent');
    copyFileSync(built.path, exe);
    env = { PATH: toolsOnlyPath(join(tmp, 'tools')), HOME: pc, TASKWARDEN_LOG_LEVEL: 'info' };
    server = await startE2EServer();
  });

  after(async () => {
    if (agent && agent.exitCode === null && agent.signalCode === null) {
      const exited = new Promise((done) => agent?.once('exit', done));
      agent.kill('SIGKILL');
      await exited;
    }
    await server?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  const run = (args: string[]) => {
    const res = spawnSync(exe, args, { cwd: pc, env, encoding: 'utf8', timeout: 30_000 });
    if (res.error) throw res.error;
    return res;
  };

  test('runs without node or npm on the PATH: --version, --help with the options of `taskwarden agent`', () => {
    for (const dir of (env['PATH'] as string).split(delimiter)) {
      assert.ok(!existsSync(join(dir, 'node')) && !existsSync(join(dir, 'npm')), `${dir} holds no node or npm`);
    }
    const shown = run(['--version']);
    assert.equal(shown.status, 0, shown.stderr);
    assert.equal(shown.stdout, `${version}\n`);
    const help = run(['--help']);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: taskwarden-agent \[options\]/);
    assert.equal(help.stderr, '', 'no warning about an experimental feature');
    const flags = declareAgentOptions(new Command()).options.map((o) => o.long as string);
    assert.ok(flags.length >= 10);
    for (const flag of flags) assert.ok(help.stdout.includes(flag), `--help shows ${flag}`);
    const bad = run(['--long-poll', '99', '--data', 'state', '--server', 'http://127.0.0.1:1']);
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr, 'taskwarden: --long-poll: "99" is not a number from 0 to 60\n');
  });

  test('run beside itself with the default --data, it says so instead of writing into its own file', () => {
    const res = run(['--server', server.url]);
    assert.equal(res.status, 2);
    assert.equal(
      res.stderr,
      `taskwarden: --data: ${exe} is a file, not a folder: name the agent's folder with --data\n`,
    );
  });

  test('installs itself as the systemd service that runs this file, and uninstalls it', () => {
    const root = join(tmp, 'root');
    writeFileSync(join(pc, 'install.token'), 'twe_not-checked-until-the-service-starts\n');
    const installed = run(['install', '--server', server.url, '--token-file', 'install.token', '--root', root]);
    assert.equal(installed.status, 0, installed.stderr);
    const unit = readFileSync(join(root, 'etc/systemd/system/taskwarden-agent.service'), 'utf8');
    assert.ok(unit.split('\n').includes(`ExecStart=${exe} --config /etc/taskwarden/agent.yaml`), unit);
    assert.match(
      readFileSync(join(root, 'etc/taskwarden/agent.yaml'), 'utf8'),
      /^data: \/var\/lib\/taskwarden-agent$/m,
    );
    const removed = run(['uninstall', '--root', root]);
    assert.equal(removed.status, 0, removed.stderr);
    assert.ok(!existsSync(join(root, 'etc/systemd/system/taskwarden-agent.service')));
  });

  test('enrols from a YAML config file and runs a command job to finished', async () => {
    writeFileSync(join(pc, 'enrol.token'), `${await server.enrolmentToken(['sea'])}\n`, { mode: 0o600 });
    writeFileSync(
      join(pc, 'agent.yaml'),
      `server: ${server.url}\nenrolFile: enrol.token\ndata: state\nname: single-file\nlongPoll: 5\n`,
    );
    const child = spawn(exe, ['--config', 'agent.yaml'], { cwd: pc, env, stdio: ['ignore', 'pipe', 'pipe'] });
    agent = child;
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const enrolled = () => /agent \S+ working for/.test(output);
    await waitFor(() => enrolled() || child.exitCode !== null, 'the single-file agent to enrol', 30_000).catch(
      () => {},
    );
    assert.ok(enrolled(), `the agent did not enrol (exit ${child.exitCode}); it said:\n${output}`);
    assert.ok(existsSync(join(pc, 'state', 'agent.json')), 'its state is in the folder the config names');
    const [listed] = await server.client.listAgents();
    assert.deepEqual([listed?.name, listed?.version, listed?.tags], ['single-file', version, ['sea']]);

    await server.client.addCommand({
      name: 'say',
      argv: ['echo', '{msg}'],
      params: { msg: { type: 'string', pattern: '^[a-z ]{1,20}$' } },
      runsOn: 'agent',
    });
    const task = await server.client.createTask({
      name: 'hello-single-file',
      schedule: { kind: 'manual' },
      jobs: [
        {
          name: 'hello',
          module: 'command',
          params: { command: 'say', args: { msg: 'from one file' } },
          targets: { tags: ['sea'] },
        },
      ],
    });
    const ended = await runEnded(server.client, (await server.client.runTask(task.id)).id, 60_000);
    const [jobstate] = await server.client.runJobstates(ended.id);
    assert.equal(ended.status, 'finished', JSON.stringify(jobstate));
    assert.equal(jobstate?.agentId, listed?.id);
    assert.deepEqual(stdoutOf(await allLogs(server.client, jobstate?.id as string)), ['from one file']);

    const exited = new Promise<number | null>((done) => child.once('exit', done));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, output);
  });
});
