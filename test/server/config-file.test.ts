// `taskwarden server --config FILE`: every setting has a key, and the precedence is
// flag > environment > file > default for each of them; HTTPS needs both PEM paths.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { resolveServerConfig } from '../../src/server/config.ts';
import { DEFAULT_HTTP_LIMITS } from '../../src/server/http-limits.ts';

describe('server config file', () => {
  let dir: string;
  let file: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tw-config-'));
    file = join(dir, 'config.yaml');
    await writeFile(
      file,
      [
        'data: /var/lib/tw',
        'port: 9443',
        'host: 0.0.0.0',
        'logLevel: warn',
        'tls: {cert: certs/tw.pem, key: /etc/tw/key.pem}',
        'trustProxy: [loopback, 10.0.0.0/8]',
        'publicUrl: https://tw.example.org/',
        'bodyTimeout: 30s',
        'maxConnectionsPerAddress: 0',
        'catchUpRate: 2',
        '',
      ].join('\n'),
    );
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('the file sets what neither a flag nor the environment sets', () => {
    const config = resolveServerConfig({ config: file }, {}, '/srv');
    assert.equal(config.dataDir, '/var/lib/tw');
    assert.equal(config.dbUrl, 'sqlite:/var/lib/tw/taskwarden.db');
    assert.equal(config.port, 9443);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.logLevel, 'warn');
    assert.deepEqual(config.tls, { certFile: '/srv/certs/tw.pem', keyFile: '/etc/tw/key.pem' });
    assert.deepEqual(config.trustProxy, ['loopback', '10.0.0.0/8']);
    assert.equal(config.publicUrl, 'https://tw.example.org');
    assert.equal(config.catchUpPerSecond, 2);
    assert.deepEqual(config.httpLimits, { ...DEFAULT_HTTP_LIMITS, bodyTimeoutMs: 30_000, maxConnectionsPerAddress: 0 });
  });

  test('TASKWARDEN_CONFIG names the file too; the environment beats it, a flag beats both', () => {
    const env = { TASKWARDEN_CONFIG: file, TASKWARDEN_PORT: '9000', TASKWARDEN_BODY_TIMEOUT: '5s' };
    const fromEnv = resolveServerConfig({}, env, '/srv');
    assert.equal(fromEnv.port, 9000);
    assert.equal(fromEnv.httpLimits?.bodyTimeoutMs, 5_000);
    assert.equal(fromEnv.host, '0.0.0.0', 'the rest still from the file');
    const flagged = resolveServerConfig({ port: '7000', data: 'here', logLevel: 'error' }, env, '/srv');
    assert.deepEqual([flagged.port, flagged.dataDir, flagged.logLevel], [7000, '/srv/here', 'error']);
    assert.equal(resolveServerConfig({}, {}, '/srv').port, 8080, 'no file: the default');
  });

  test('mistakes name the file and key, the flag or the variable', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'port: 99999\n');
    assert.throws(() => resolveServerConfig({ config: bad }, {}, '/'), {
      message: `${bad}: port: "99999" is not a port (0-65535)`,
    });
    await writeFile(bad, 'listen: 80\n');
    assert.throws(() => resolveServerConfig({ config: bad }, {}, '/'), {
      message: new RegExp(`^${bad}: listen: is not a setting`),
    });
    await writeFile(bad, 'tls: {cert: /c.pem}\n');
    assert.throws(() => resolveServerConfig({ config: bad }, {}, '/'), {
      message: `${bad}: tls.cert: HTTPS needs both tls.cert and tls.key; tls.key is missing`,
    });
    assert.throws(() => resolveServerConfig({ tlsKey: '/k.pem' }, {}, '/'), {
      message: /^--tls-key: HTTPS needs both/,
    });
    assert.throws(() => resolveServerConfig({ config: join(dir, 'none.yaml') }, {}, '/'), {
      message: /^--config: cannot read .*none\.yaml \(ENOENT\)/,
    });
    assert.throws(() => resolveServerConfig({}, { TASKWARDEN_PUBLIC_URL: 'ftp://x' }, '/'), {
      message: /^TASKWARDEN_PUBLIC_URL: "ftp:\/\/x" is not an http/,
    });
  });
});
