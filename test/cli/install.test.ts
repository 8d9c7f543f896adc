// `agent install|uninstall` and `server install` write config files and systemd units under
// a staging root (--root, TASKWARDEN_INSTALL_ROOT), never touching /etc and never running
// systemctl there; the agent's written config is the one it then runs from, against a real server.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { installAgent, uninstallAgent } from '../../src/cli/agent-service.ts';
import { SERVER_NODE_FLAGS } from '../../src/cli/server-node-flags.ts';
import { resolveServerConfig } from '../../src/server/config.ts';
import { type RunningServer, startServer } from '../../src/server/start.ts';
import { BIN, eventually, runCli, startCli } from '../support/cli.ts';

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('install as systemd services', () => {
  let dir: string;
  let server: RunningServer;
  let admin: string;
  let env: NodeJS.ProcessEnv;
  const ran = () => readFile(join(dir, 'ran.log'), 'utf8').catch(() => '');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tw-install-'));
    // systemctl and useradd that only note they were called: a staged install must call neither.
    await mkdir(join(dir, 'fake-bin'));
    for (const name of ['systemctl', 'useradd']) {
      await writeFile(join(dir, 'fake-bin', name), `#!/bin/sh\necho "${name} $*" >> ${join(dir, 'ran.log')}\n`);
      await chmod(join(dir, 'fake-bin', name), 0o755);
    }
    env = { PATH: `${join(dir, 'fake-bin')}:${process.env.PATH}` };
    server = await startServer(
      resolveServerConfig({ data: join(dir, 'data'), port: '0' }, { TASKWARDEN_LOG_LEVEL: 'silent' }, dir),
    );
    admin = (await readFile(join(dir, 'data', 'admin.token'), 'utf8')).trim();
  });

  after(async () => {
    await server?.close(1_000);
    await rm(dir, { recursive: true, force: true });
  });

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(res.ok, `${method} ${path}: ${res.status}`);
    // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field
    return res.json() as Promise<any>;
  };

  test('agent install writes the token (0600), the config and the unit; the agent runs from that config', async () => {
    await api('POST', '/api/v1/orgs', { name: 'acme' });
    const enrolment = await api('POST', '/api/v1/enrolment-tokens?org=acme', {
      uses: 1,
      expiresIn: '1h',
      tags: ['lab'],
    });
    await writeFile(join(dir, 'given.token'), `${enrolment.token}\n`);
    const root = join(dir, 'root');
    const installed = await runCli(
      [
        'agent',
        'install',
        '--server',
        server.url,
        '--token-file',
        join(dir, 'given.token'),
        '--name',
        'pc-7',
        '--root',
        root,
      ],
      { env },
    );
    assert.equal(installed.code, 0, installed.stderr);
    assert.match(installed.stdout, /staged install: systemctl not run/);
    const token = join(root, 'etc/taskwarden/agent-enrolment.token');
    assert.equal((await readFile(token, 'utf8')).trim(), enrolment.token);
    assert.equal(await mode(token), 0o600);
    const configPath = join(root, 'etc/taskwarden/agent.yaml');
    assert.equal(await mode(configPath), 0o600);
    assert.deepEqual(parse(await readFile(configPath, 'utf8')), {
      data: '/var/lib/taskwarden-agent',
      server: server.url,
      name: 'pc-7',
      enrolFile: '/etc/taskwarden/agent-enrolment.token',
    });
    const unit = await readFile(join(root, 'etc/systemd/system/taskwarden-agent.service'), 'utf8');
    assert.ok(
      unit.includes(`\nExecStart=${process.execPath} ${BIN} agent --config /etc/taskwarden/agent.yaml\n`),
      unit,
    );
    for (const line of ['User=root', 'Restart=on-failure', 'StandardOutput=journal', 'WantedBy=multi-user.target']) {
      assert.ok(unit.split('\n').includes(line), `${line} in\n${unit}`);
    }
    assert.equal(await ran(), '', 'no systemctl, no useradd');

    // The service's command line, with the staged paths given as flags (a flag beats the file).
    const agent = startCli(
      ['agent', '--config', configPath, '--enrol-file', token, '--data', join(dir, 'agent-data')],
      { env },
    );
    try {
      const enrolled = await eventually('the agent enrolled from its config', async () => {
        const { items } = await api('GET', '/api/v1/agents');
        return (items as { name: string; tags: string[] }[]).find((a) => a.name === 'pc-7');
      });
      assert.deepEqual(enrolled.tags, ['lab'], "its token's tags");
    } finally {
      await agent.stop();
    }

    await mkdir(join(root, 'var/lib/taskwarden-agent'), { recursive: true });
    await writeFile(join(root, 'var/lib/taskwarden-agent/agent.json'), '{}');
    const removed = await runCli(['agent', 'uninstall', '--purge'], { env: { ...env, TASKWARDEN_INSTALL_ROOT: root } });
    assert.equal(removed.code, 0, removed.stderr);
    for (const gone of [
      'etc/taskwarden/agent.yaml',
      'etc/taskwarden/agent-enrolment.token',
      'etc/systemd/system/taskwarden-agent.service',
      'var/lib/taskwarden-agent',
    ]) {
      await assert.rejects(stat(join(root, gone)), { code: 'ENOENT' }, gone);
    }
    assert.match(removed.stdout, /the agent stays on the server/);
    assert.equal(await ran(), '');
  });

  test('agent install checks its input first and writes nothing when it is bad; purge spares a folder no agent made', async () => {
    const root = join(dir, 'bad-root');
    await assert.rejects(installAgent({ root, server: server.url }), { message: /^--token-file: is required/ });
    await assert.rejects(installAgent({ root, tokenFile: join(dir, 'given.token') }), {
      message: /^--server: is required/,
    });
    await assert.rejects(installAgent({ root, server: 'ftp://x', tokenFile: join(dir, 'given.token') }), {
      message: /^--server: must be http/,
    });
    await assert.rejects(installAgent({ root, server: server.url, tokenFile: join(dir, 'none') }), {
      message: /^--enrol-file: cannot read .*none \(ENOENT\)/,
    });
    await assert.rejects(stat(root), { code: 'ENOENT' }, 'nothing written');

    await installAgent({ root, server: server.url, tokenFile: join(dir, 'given.token'), data: '/srv', start: false });
    await mkdir(join(root, 'srv'));
    await writeFile(join(root, 'srv/keep.txt'), 'not the agent');
    const lines = await uninstallAgent({ root, purge: true });
    assert.ok(
      lines.some((l) => l.includes('not purged')),
      lines.join('\n'),
    );
    assert.equal(await readFile(join(root, 'srv/keep.txt'), 'utf8'), 'not the agent');
  });

  test('server install writes a config file with the flags given and a unit; a second install keeps the config', async () => {
    const root = join(dir, 'server-root');
    const stagedEnv = { ...env, TASKWARDEN_INSTALL_ROOT: root };
    // Run as npx runs it: through a link (node_modules/.bin/taskwarden); the unit names the real script.
    await symlink(BIN, join(dir, 'taskwarden'));
    const first = await runCli(['server', 'install', '--port', '9443', '--public-url', 'https://tw.example.org'], {
      env: stagedEnv,
      cwd: dir,
      bin: join(dir, 'taskwarden'),
    });
    assert.equal(first.code, 0, first.stderr);
    const configPath = join(root, 'etc/taskwarden/config.yaml');
    assert.deepEqual(parse(await readFile(configPath, 'utf8')), {
      data: '/var/lib/taskwarden',
      host: '0.0.0.0',
      port: 9443,
      publicUrl: 'https://tw.example.org',
    });
    const config = resolveServerConfig({ config: configPath }, {}, '/');
    assert.deepEqual([config.port, config.host, config.dataDir], [9443, '0.0.0.0', '/var/lib/taskwarden']);
    const unit = await readFile(join(root, 'etc/systemd/system/taskwarden.service'), 'utf8');
    for (const line of [
      `ExecStart=${process.execPath} ${SERVER_NODE_FLAGS.join(' ')} ${BIN} server --config /etc/taskwarden/config.yaml`,
      'ExecReload=/bin/kill -HUP $MAINPID',
      'User=taskwarden',
      'StateDirectory=taskwarden',
      'Restart=on-failure',
    ]) {
      assert.ok(unit.split('\n').includes(line), `${line} in\n${unit}`);
    }
    await writeFile(configPath, 'port: 8443\n');
    const second = await runCli(['server', 'install', '--no-start'], { env: stagedEnv });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /kept .*config\.yaml/);
    assert.equal(await readFile(configPath, 'utf8'), 'port: 8443\n');
    assert.equal(await ran(), '', 'no systemctl, no useradd');
  });
});
