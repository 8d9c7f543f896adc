import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_BODY_LIMIT } from '../../src/server/app.ts';
import { resolveServerConfig } from '../../src/server/config.ts';
import { DEFAULT_HTTP_LIMITS } from '../../src/server/http-limits.ts';

describe('server config', () => {
  test('defaults of the Contract, relative to the working directory', () => {
    assert.deepEqual(resolveServerConfig({}, {}, '/srv'), {
      dataDir: '/srv/taskwarden-data',
      dbUrl: 'sqlite:/srv/taskwarden-data/taskwarden.db',
      host: '127.0.0.1',
      port: 8080,
      logLevel: 'info',
      bodyLimit: DEFAULT_BODY_LIMIT,
      httpLimits: DEFAULT_HTTP_LIMITS,
    });
  });

  test('environment variables override the defaults; flags override both', () => {
    const env = {
      TASKWARDEN_DATA: '/var/lib/tw',
      TASKWARDEN_PORT: '9000',
      TASKWARDEN_HOST: '0.0.0.0',
      TASKWARDEN_LOG_LEVEL: 'warn',
    };
    const fromEnv = resolveServerConfig({}, env, '/srv');
    assert.equal(fromEnv.dataDir, '/var/lib/tw');
    assert.equal(fromEnv.dbUrl, 'sqlite:/var/lib/tw/taskwarden.db');
    assert.equal(fromEnv.port, 9000);
    assert.equal(fromEnv.host, '0.0.0.0');
    assert.equal(fromEnv.logLevel, 'warn');
    assert.equal(resolveServerConfig({}, { TASKWARDEN_CATCHUP_RATE: '2.5' }, '/srv').catchUpPerSecond, 2.5);
    assert.equal(resolveServerConfig({}, { TASKWARDEN_AGENT_GRACE: '2m' }, '/srv').agentGraceMs, 120_000);
    assert.equal(resolveServerConfig({}, {}, '/srv').agentGraceMs, undefined, 'the engine default');
    const flagged = resolveServerConfig(
      { data: 'data', db: 'postgres://db/tw', port: '0', host: '::1' },
      { ...env, TASKWARDEN_DB: 'sqlite:/elsewhere.db' },
      '/srv',
    );
    assert.equal(flagged.dataDir, '/srv/data');
    assert.equal(flagged.dbUrl, 'postgres://db/tw');
    assert.equal(flagged.port, 0);
    assert.equal(flagged.host, '::1');
    assert.equal(
      resolveServerConfig({}, { TASKWARDEN_DB: 'sqlite:/elsewhere.db' }, '/srv').dbUrl,
      'sqlite:/elsewhere.db',
    );
  });

  test('bad values name the flag or variable they came from', () => {
    assert.throws(
      () => resolveServerConfig({ port: 'http' }, {}, '/'),
      /^ValidationError: --port: "http" is not a port/,
    );
    assert.throws(
      () => resolveServerConfig({}, { TASKWARDEN_PORT: '70000' }, '/'),
      /TASKWARDEN_PORT: "70000" is not a port/,
    );
    assert.throws(() => resolveServerConfig({ db: ' ' }, {}, '/'), /--db: must not be empty/);
    assert.throws(() => resolveServerConfig({}, { TASKWARDEN_LOG_LEVEL: 'loud' }, '/'), /TASKWARDEN_LOG_LEVEL: "loud"/);
    assert.throws(
      () => resolveServerConfig({}, { TASKWARDEN_PACKAGE_LIMIT: '12 parsecs' }, '/'),
      /TASKWARDEN_PACKAGE_LIMIT/,
    );
    assert.throws(
      () => resolveServerConfig({}, { TASKWARDEN_AGENT_GRACE: '0' }, '/'),
      /TASKWARDEN_AGENT_GRACE: must be/,
    );
    assert.throws(() => resolveServerConfig({}, { TASKWARDEN_AGENT_GRACE: 'soon' }, '/'), /TASKWARDEN_AGENT_GRACE/);
    for (const rate of ['0', '-1', 'fast', '20000']) {
      assert.throws(
        () => resolveServerConfig({}, { TASKWARDEN_CATCHUP_RATE: rate }, '/'),
        new RegExp(`TASKWARDEN_CATCHUP_RATE: "${rate}" is not a rate per second`),
      );
    }
  });

  test('TASKWARDEN_PACKAGE_LIMIT sets the largest package upload: bytes, K, M or G', () => {
    const limit = (value: string) => resolveServerConfig({}, { TASKWARDEN_PACKAGE_LIMIT: value }, '/').packageLimit;
    assert.equal(limit('1000'), 1000);
    assert.equal(limit('512K'), 512 * 1024);
    assert.equal(limit('300M'), 300 * 2 ** 20);
    assert.equal(limit('2GiB'), 2 * 2 ** 30);
    assert.equal(resolveServerConfig({}, {}, '/').packageLimit, undefined, 'the server default (256 MiB) applies');
  });

  test('TASKWARDEN_TEST_CLOCK_SKEW_MS (test only) moves the node clock by whole milliseconds, either way', () => {
    const skew = (value: string) =>
      resolveServerConfig({}, { TASKWARDEN_TEST_CLOCK_SKEW_MS: value }, '/').testClockSkewMs;
    assert.equal(skew('90000'), 90_000);
    assert.equal(skew('-90000'), -90_000);
    assert.equal(resolveServerConfig({}, {}, '/').testClockSkewMs, undefined);
    assert.throws(() => skew('90s'), /TASKWARDEN_TEST_CLOCK_SKEW_MS: "90s" is not a whole number of milliseconds/);
  });

  test('TASKWARDEN_TEST_CRASH_AT (test only) names a crash point, or is refused', () => {
    const crashAt = (value: string) => resolveServerConfig({}, { TASKWARDEN_TEST_CRASH_AT: value }, '/').testCrashAt;
    assert.equal(crashAt('command-spawned'), 'command-spawned');
    assert.equal(resolveServerConfig({}, {}, '/').testCrashAt, undefined);
    assert.throws(() => crashAt('anywhere'), /TASKWARDEN_TEST_CRASH_AT: "anywhere" is not one of command-claimed, /);
  });

  test('hardening variables set the HTTP limits: timeouts as durations, counts as whole numbers', () => {
    const limits = resolveServerConfig(
      {},
      {
        TASKWARDEN_HEADERS_TIMEOUT: '5s',
        TASKWARDEN_BODY_TIMEOUT: '15',
        TASKWARDEN_UPLOAD_TIMEOUT: '30m',
        TASKWARDEN_MAX_CONNECTIONS_PER_ADDRESS: '0',
        TASKWARDEN_MAX_EVENT_STREAMS_PER_USER: '4',
        TASKWARDEN_LOGIN_ATTEMPTS_PER_ADDRESS: '50',
        TASKWARDEN_LOGIN_FAILURES_PER_NAME: '10',
        TASKWARDEN_JSON_MAX_DEPTH: '32',
      },
      '/',
    ).httpLimits;
    assert.deepEqual(limits, {
      ...DEFAULT_HTTP_LIMITS,
      headersTimeoutMs: 5_000,
      bodyTimeoutMs: 15_000,
      uploadTimeoutMs: 30 * 60_000,
      maxConnectionsPerAddress: 0,
      maxEventStreamsPerUser: 4,
      loginAttemptsPerAddress: 50,
      loginFailuresPerName: 10,
      jsonMaxDepth: 32,
    });
    assert.throws(
      () => resolveServerConfig({}, { TASKWARDEN_BODY_TIMEOUT: 'soon' }, '/'),
      /TASKWARDEN_BODY_TIMEOUT: "soon" is not a duration/,
    );
    assert.throws(
      () => resolveServerConfig({}, { TASKWARDEN_MAX_EVENT_STREAMS_PER_USER: '0' }, '/'),
      /TASKWARDEN_MAX_EVENT_STREAMS_PER_USER: "0" is not a whole number of at least 1/,
    );
    assert.throws(
      () => resolveServerConfig({}, { TASKWARDEN_HEADERS_TIMEOUT: '0' }, '/'),
      /TASKWARDEN_HEADERS_TIMEOUT: must be at least 1 seconds/,
    );
  });

  test('--trust-proxy / TASKWARDEN_TRUST_PROXY: off by default, addresses and CIDRs, or every peer', () => {
    const trusted = (flag: string | undefined, env: string | undefined) =>
      resolveServerConfig({ trustProxy: flag }, env === undefined ? {} : { TASKWARDEN_TRUST_PROXY: env }, '/')
        .trustProxy;
    assert.equal(trusted(undefined, undefined), undefined);
    assert.deepEqual(trusted(undefined, '127.0.0.1, 10.0.0.0/8,::1,fd00::/8,loopback'), [
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
    assert.equal(trusted('true', '127.0.0.1'), true, 'the flag beats the variable');
    assert.equal(trusted('off', 'true'), undefined);
    assert.throws(
      () => trusted(undefined, 'proxy.example'),
      /TASKWARDEN_TRUST_PROXY: "proxy.example" is not an address/,
    );
    assert.throws(() => trusted('10.0.0.0/33', undefined), /--trust-proxy: "10.0.0.0\/33"/);
  });
});
