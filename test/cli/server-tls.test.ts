// The server in production: started from a config file, serving HTTPS with a self-signed
// certificate made here with openssl; client commands find it through its data folder; an
// agent talks HTTPS to it, enrols and runs a job; SIGHUP swaps in a renewed certificate.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect } from 'node:tls';
import { type CliProcess, eventually, runCli, startCli } from '../support/cli.ts';

/** A certificate for 127.0.0.1 and its key, written to `cert` and `key`. */
function makeCertificate(cert: string, key: string): string {
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...[
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
    ],
    { stdio: 'ignore' },
  );
  return new X509Certificate(execFileSync('cat', [cert])).fingerprint256;
}

/** A REST call over HTTPS trusting `ca` (setup steps; the CLI's own commands are what the tests check). */
// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field
function api(base: string, ca: Buffer, token: string, method: string, path: string, body?: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      `${base}${path}`,
      {
        method,
        ca,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () =>
          (res.statusCode ?? 500) < 300
            ? resolve(text ? JSON.parse(text) : null)
            : reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`)),
        );
      },
    );
    request.on('error', reject);
    request.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** The fingerprint of the certificate a new TLS connection is served. */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const fingerprint = socket.getPeerX509Certificate()?.fingerprint256 ?? '';
      socket.end();
      resolve(fingerprint);
    });
    socket.on('error', reject);
  });
}

describe('taskwarden server --config with HTTPS', () => {
  let dir: string;
  let data: string;
  let cert: string;
  let key: string;
  let first: string;
  let server: CliProcess;
  let agent: CliProcess | null = null;
  let url: string;
  /** Client commands trust the self-signed certificate the way a user would: NODE_EXTRA_CA_CERTS. */
  const trusting = () => ({ env: { NODE_EXTRA_CA_CERTS: cert } });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tw-tls-'));
    data = join(dir, 'data');
    cert = join(dir, 'tw.pem');
    key = join(dir, 'tw.key');
    first = makeCertificate(cert, key);
    const config = join(dir, 'config.yaml');
    await writeFile(
      config,
      `data: ${data}\nhost: 127.0.0.1\nport: 0\nlogLevel: warn\ntls:\n  cert: ${cert}\n  key: ${key}\n`,
    );
    server = startCli(['server', '--config', config]);
    url = (await server.waitFor(/server listening on (https:\/\/\S+)/))[1] as string;
  });

  after(async () => {
    await agent?.stop();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('it listens on HTTPS and records its URL in the data folder', async () => {
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(JSON.parse(await readFile(join(data, 'server.json'), 'utf8')), { url });
    assert.equal(await servedFingerprint(Number(new URL(url).port)), first);
    const refused = await runCli(['org', 'create', 'nope', '--data', data]);
    assert.equal(refused.code, 1, 'a client that does not trust the certificate cannot talk to it');
    assert.match(refused.stderr, /cannot reach https:\/\/127\.0\.0\.1:\d+/);
  });

  test('client commands find it through --data alone; an agent enrols over HTTPS and runs a job', async () => {
    const admin = (await readFile(join(data, 'admin.token'), 'utf8')).trim();
    const call = async (method: string, path: string, body?: unknown) =>
      api(url, await readFile(cert), admin, method, path, body);
    await call('POST', '/api/v1/orgs', { name: 'acme' });
    const tokenRun = await runCli(
      [
        'enrolment-token',
        'create',
        '--uses',
        '1',
        '--expires',
        '1h',
        '--tags',
        'lab',
        '--org',
        'acme',
        '--json',
        '--data',
        data,
      ],
      trusting(),
    );
    assert.equal(tokenRun.code, 0, tokenRun.stderr);
    const enrolment = JSON.parse(tokenRun.stdout);
    assert.equal(enrolment.setup.serverUrl, url, 'the setup lines name the URL the client reached');
    assert.match(enrolment.setup.agentCommand, new RegExp(`agent install --server ${url} --token-file `));
    await writeFile(join(dir, 'enrol.token'), `${enrolment.token}\n`, { mode: 0o600 });
    await call('POST', '/api/v1/commands?org=acme', { name: 'hello', argv: ['echo', 'over tls'], runsOn: 'agent' });
    await call('POST', '/api/v1/tasks?org=acme', {
      name: 'greet',
      schedule: { kind: 'manual' },
      jobs: [{ name: 'say', module: 'command', params: { command: 'hello' }, targets: { tags: ['lab'] } }],
    });
    agent = startCli(
      [
        'agent',
        '--server',
        url,
        '--enrol-file',
        join(dir, 'enrol.token'),
        '--data',
        join(dir, 'agent'),
        '--name',
        'pc-tls',
      ],
      trusting(),
    );
    await eventually('the agent enrolled', async () => {
      const agents = (await call('GET', '/api/v1/agents')).items as { name: string; tags: string[] }[];
      return agents.find((a) => a.name === 'pc-tls' && a.tags.includes('lab'));
    });
    const run = await runCli(
      ['task', 'run', 'greet', '--wait', '60', '--org', 'acme', '--json', '--data', data],
      trusting(),
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(JSON.parse(run.stdout).status, 'finished');
    const shown = await runCli(['run', 'show', 'greet', 'last', '--logs', '--org', 'acme', '--data', data], trusting());
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /stdout +over tls/);
  });

  test('SIGHUP serves a renewed certificate to new connections, and the server keeps running', async () => {
    const renewed = makeCertificate(cert, key);
    assert.notEqual(renewed, first);
    const port = Number(new URL(url).port);
    assert.equal(await servedFingerprint(port), first, 'nothing changes before the signal');
    server.child.kill('SIGHUP');
    await eventually('the renewed certificate served', async () =>
      (await servedFingerprint(port)) === renewed ? true : undefined,
    );
    const health = await runCli(['agent', 'list', '--org', 'acme', '--data', data], {
      env: { NODE_EXTRA_CA_CERTS: cert },
    });
    assert.equal(health.code, 0, health.stderr);
    assert.equal(server.child.exitCode, null);
  });
});
